"""Voice rules on realistic wording: group subjects, first person, 成绩 talk, excuses (own words, not copied)."""

from __future__ import annotations

import pytest

from agent.check import check_document
from agent.document import DocKind
from agent.parser import parse_text
from tests.conftest import ROOT

GOOD = (ROOT / "tests" / "data" / "good-2023.md").read_text(encoding="utf-8")
POINT = "我把学习当成任务来完成"
REPORT = "我对重大事项报告"
CAUSE = "我对理论学习重要性认识不足，满足于完成规定动作。"


def hits(text: str, rule_id: str, voice: str = "personal"):
    doc = parse_text(text)
    doc.kind = DocKind(voice=voice, origin="flag")
    return [f for f in check_document(doc).findings if f.rule == rule_id]


@pytest.mark.parametrize("subject", ["个别年轻干部", "有的分管单位", "少数人", "极少数党员干部", "一部分同志", "部分支部", "有人",
                                     "有些领导", "不少人", "许多同志", "相当一部分学员", "大多数干部", "部分同事",
                                     "我们"])
def test_group_subject_in_any_wording_is_flagged_in_a_personal_statement(subject):
    found = hits(GOOD.replace(POINT, f"{subject}把学习当成任务来完成"), "voice.group_subject")
    assert found and found[0].section == "1.1.1" and "我" in found[0].message


@pytest.mark.parametrize("sentence", ["我对个别工作人员要求不严", "有的同志反映我下基层多是听汇报", "和部分干部谈心不够",
                                      "部分青年党员职工反映我讲课不接地气", "我偶尔参加一些同事间的聚餐",
                                      "一些领导小组会议我没有参加", "我对我们党的性质宗旨领会不深",
                                      "我对党史给我们留下的经验体会不深", "我对总书记“我们要敢于斗争”的要求领会不深"])
def test_group_noun_as_object_or_as_others_opinion_is_not_a_subject(sentence):
    assert hits(GOOD.replace("我对身边工作人员要求不严", sentence), "voice.group_subject") == []


def test_group_statement_may_name_its_own_members_but_not_push_onto_subordinates():
    group = GOOD.replace("我", "班子")
    assert hits(group.replace("班子把学习当成", "我们把学习当成"), "voice.group_subject", "group") == []
    assert hits(group.replace("班子把学习当成", "部分班子成员把学习当成"), "voice.group_subject", "group") == []
    found = hits(group.replace("班子把学习当成", "部分干部把学习当成"), "voice.group_subject", "group")
    assert found and "班子" in found[0].message


@pytest.mark.parametrize("subject", ["部分乡镇干事", "有的包片网格员", "个别站所所长", "少数新进人员", "一些窗口负责人",
                                     "大家普遍", "有的挂包责任人"])
def test_a_group_named_by_any_short_modifier_and_people_noun_is_a_subject(subject):
    found = hits(GOOD.replace(POINT, f"{subject}把学习当成任务来完成"), "voice.group_subject")
    assert found and found[0].section == "1.1.1"


@pytest.mark.parametrize("sentence", ["部分原因是本人把学习当成任务来完成", "我认为大家都会从严要求自己，把学习当成任务来完成",
                                      "同大家一起把学习当成任务来完成"])
def test_a_quantity_of_reasons_anothers_thinking_or_an_object_is_no_group_subject(sentence):
    assert hits(GOOD.replace(POINT, sentence), "voice.group_subject") == []


@pytest.mark.parametrize("clause", ["城建科的技术员验收管网时只看资料，", "急救站的值班医生出车时常有拖延，",
                                    "镇便民服务中心窗口人员对老人办事解释含糊，", "县住房公积金中心在提取审核上时紧时松，",
                                    "派出所值班室对夜间巡查安排得很随意，", "支行信贷部的客户经理贷后走访流于形式，"])
def test_a_clause_opening_with_other_people_or_a_unit_and_a_shortfall_is_a_group_subject(clause):
    found = hits(GOOD.replace(POINT, clause + POINT), "voice.group_subject")
    assert found and found[0].section == "1.1.1" and "我" in found[0].message


@pytest.mark.parametrize("clause", ["督促指导分管科室落实整改不够有力，", "深入联系单位开展督查比较少，",
                                    "对分管站所的同志要求不严，", "干事创业的劲头不足，", "全局观念还不够强，",
                                    "群众对我局窗口服务不够满意，", "窗口人员业务培训由我负责但抓得不紧，"])
def test_the_speaker_acting_on_others_or_owning_the_clause_is_no_group_subject(clause):
    text = GOOD.replace(POINT, clause + POINT)
    assert [f for f in hits(text, "voice.group_subject") if f.start < text.index(POINT)] == []


def test_a_group_statement_is_not_read_for_units_as_subjects():
    group = GOOD.replace("我", "班子")
    assert hits(group.replace("班子把学习当成", "急救站的值班医生出车时常有拖延，班子把学习当成"), "voice.group_subject",
                "group") == []


def test_first_person_depends_on_the_voice():
    assert hits(GOOD, "voice.first_person") == []
    found = hits(GOOD, "voice.first_person", "group")
    assert found and "班子" in found[0].message
    assert hits(GOOD.replace("我", "班子"), "voice.first_person", "group") == []


@pytest.mark.parametrize("boast", [
    "全年招商引资实现了两位数增长，但", "我县连续三年在全市考核中位列第一，但", "分管工作获评省级先进，但",
    "分管工作多次得到市委主要领导的充分肯定，但", "虽然超额完成了年度目标任务，但", "虽然圆满完成了换届工作，但",
    "分管的税收收入排名全省第3位，", "自己坚持这样做，确保了各项工作顺利推进，但"])
def test_achievement_talk_in_any_wording_is_flagged(boast):
    found = hits(GOOD.replace(REPORT, boast + REPORT), "voice.achievement")
    assert found and found[0].section == "1.2.1"


@pytest.mark.parametrize("boast", [
    "我为推动全县高质量发展作出了积极贡献，但", "我主动承担急难任务，确保各项工作顺利推进，但",
    "这种学习态度增强了我的政治素养，但", "这不仅提高了我们的服务质量和满意度，但", "我始终把群众诉求作为工作的首要任务，但",
    "我始终秉持钉钉子精神，但", "我带头深入基层调研，但", "项目落地推动了全镇经济发展，赢得了群众的信任，但"])
def test_contributions_and_doing_what_the_area_asks_are_achievements(boast):
    # What a small model writes in a problem point when it praises itself in other words.
    found = hits(GOOD.replace(REPORT, boast + REPORT), "voice.achievement")
    assert found and found[0].section == "1.2.1"


@pytest.mark.parametrize("boast", [
    "分管的两个片区改造全部提前两个月完工，", "我牵头的课题获全市调研成果二等奖，", "我区做法被省电视台专题报道，",
    "经过一年攻坚，拆迁任务清零，", "在我的协调下，积案全部化解，", "全镇税收同比增长15%，", "我联系的社区成功创建省级示范社区，",
    "我在全市会议上作典型发言，", "全县产值突破80亿元，", "群众回访满意率达到99%，"])
def test_results_rankings_and_credit_in_other_words_are_achievements(boast):
    found = hits(GOOD.replace(REPORT, boast + REPORT), "voice.achievement")
    assert found and found[0].section == "1.2.1"


@pytest.mark.parametrize("clause", ["片区改造没能按期完工，", "欠款超过500万元，", "课题至今没有形成成果，", "完成率只有55%，"])
def test_shortfalls_with_the_same_words_are_not_achievements(clause):
    assert hits(GOOD.replace(REPORT, clause + REPORT), "voice.achievement") == []


@pytest.mark.parametrize("praise", [
    "多年来我坚持每周读一本书。", "节假日里我都主动顶班，让年轻同志休息。", "面对汛情，我身先士卒，日夜守在堤上。",
    "我向来严于律己，从不收受礼品。", "我坚持写工作日志，从未间断。"])
def test_praise_after_a_time_phrase_or_in_the_genres_idioms_is_achievement_talk(praise):
    found = hits(GOOD.replace(REPORT, praise + REPORT), "voice.achievement")
    assert found and "没有讲出任何不足" in found[0].message


def test_a_praise_sentence_that_sets_up_the_problem_after_it_is_not_praise():
    setup = "作为分管领导，我始终要求科室把学习抓紧抓实。但往往停留在开会强调，督促检查跟不上。"
    assert hits(GOOD.replace(REPORT, setup + REPORT), "voice.achievement") == []


@pytest.mark.parametrize("clause", ["虽然我也学了不少篇目，但", "分管工作没有取得明显成效，", "虽然能够坚持集中学习，但",
                                    "我没有带头深入基层调研，", "没有始终把群众诉求作为首要任务，", "工作没有提高服务质量，"])
def test_effort_clause_and_negated_results_are_not_achievements(clause):
    assert hits(GOOD.replace(REPORT, clause + REPORT), "voice.achievement") == []


@pytest.mark.parametrize("praise", [
    "我深入群众，经常与群众交流，积极帮助他们解决问题。", "平时我认真参加各类学习，按时撰写心得体会。",
    "具体表现为：一是我总是带头加班，主动承担急难任务。", "工作中我注重调查研究，善于听取基层意见。",
    "在工作中，我能够主动与群众沟通，及时解决他们的问题。"])
def test_a_sentence_of_self_praise_that_owns_up_to_nothing_is_achievement_talk(praise):
    found = hits(GOOD.replace(REPORT, praise + REPORT), "voice.achievement")
    assert found and found[0].section == "1.2.1" and "没有讲出任何不足" in found[0].message


@pytest.mark.parametrize("owned", [
    "我深入群众不够，经常坐在办公室听汇报。", "平时我积极参加学习，但学得不深不透。",
    "我总是习惯于按老办法处理问题。", "工作中我注重调查研究的次数，却没有拿出管用的办法。"])
def test_a_sentence_on_ones_own_conduct_that_owns_up_is_not_praise(owned):
    assert hits(GOOD.replace(REPORT, owned + REPORT), "voice.achievement") == []


@pytest.mark.parametrize("excuse", [
    "镇里人手紧张，征迁任务繁重，我分身乏术，学习时间被挤占。", "由于疫情影响，集中学习多次取消。",
    "平时工作太忙，事务性工作繁杂，静下心来学习少。", "基层情况复杂，加上上级安排的事项多，学习顾不上。"])
def test_objective_excuse_as_cause_is_flagged(excuse):
    found = hits(GOOD.replace(CAUSE, excuse), "voice.excuse")
    assert found and found[0].section == "2.1"


@pytest.mark.parametrize("excuse", [
    "由于长期在业务部门工作，接触理论的机会少。", "受限于乡镇编制，懂规划的人才很少。", "因为辖区面积大、人口分散，走访难以覆盖。",
    "加之分管工作点多面广，难以面面俱到。", "近年来改革任务叠加，工作节奏快，学习常被打断。"])
def test_a_cause_put_down_to_circumstances_in_any_words_is_an_excuse(excuse):
    found = hits(GOOD.replace(CAUSE, excuse), "voice.excuse")
    assert found and found[0].section == "2.1"


@pytest.mark.parametrize("owned", [
    "由于自己对理论学习重视不够，学得不深。", "因为思想上放松了要求，满足于完成规定动作。",
    "由于对新形势认识不足，办法不多。"])
def test_a_cause_clause_naming_the_speakers_own_failing_is_no_excuse(owned):
    assert hits(GOOD.replace(CAUSE, owned), "voice.excuse") == []


@pytest.mark.parametrize("owned", [
    "我不能以工作忙、任务重为借口放松学习。", "客观上事务性工作多，但根本上还是我主观上对学习重视不够。",
    "平时事务性工作多。归根结底是我对学习的重要性认识不足。"])
def test_disowned_excuse_is_not_flagged(owned):
    assert hits(GOOD.replace(CAUSE, owned), "voice.excuse") == []


def test_excuse_in_problems_needs_a_causal_link():
    text = GOOD.replace(POINT, "由于工作任务重，我把学习当成任务来完成")
    assert hits(text, "voice.excuse")
    assert hits(GOOD.replace(POINT, "我平时工作比较忙，没有时间把学习当成任务来完成"), "voice.excuse")  # consequence
    assert hits(GOOD.replace(POINT, "我总觉得工作过于繁忙，以至于把学习当成任务来完成"), "voice.excuse")
    assert hits(GOOD.replace(POINT, "我忙于事务，把学习当成任务来完成"), "voice.excuse") == []


def test_traditional_characters_match_through_norm():
    text = GOOD.replace(POINT, "部分幹部把學習當成任務來完成")
    doc = parse_text(text)
    doc.normalized = text.replace("幹", "干").replace("學習", "学习").replace("當成任務來", "当成任务来")
    assert [f for f in check_document(doc).findings if f.rule == "voice.group_subject"]


CAUSE_UNIT = "一是理论学习不够深入。我对理论学习重要性认识不足，满足于完成规定动作。"


@pytest.mark.parametrize("excuse", ["我所在的乡镇财力薄弱，好些项目只能往后放。", "这几年乡里年轻人外出多，村里留下的多是老人。",
                                    "眼下各方面盯得紧，出了事谁也担不起。"])
def test_a_cause_that_names_only_circumstances_is_an_excuse_in_any_words(excuse):
    found = hits(GOOD.replace(CAUSE_UNIT, "一是" + excuse), "voice.excuse")
    assert found and found[0].section == "2.1" and "客观情况" in found[0].message


@pytest.mark.parametrize("owned", ["我所在的岗位要求高，我对新业务钻研不够。", "党性修养放松了，对自己要求降低。",
                                   "宗旨意识淡化，把群众的事当成分外事。"])
def test_a_cause_unit_that_names_any_failing_of_ones_own_is_no_excuse(owned):
    assert hits(GOOD.replace(CAUSE_UNIT, "一是" + owned), "voice.excuse") == []


@pytest.mark.parametrize("boast", ["我牵头的项目被省里作为典型经验推广，", "今年辖区新增签约项目12个，",
                                   "全市观摩会选在我分管的园区召开，", "我联系的村集体收入同比增长，", "我主笔的报告被评为优秀调研成果，"])
def test_a_clause_reporting_a_good_outcome_is_achievement_talk_in_any_words(boast):
    found = hits(GOOD.replace(POINT, boast + POINT), "voice.achievement")
    assert found and found[0].section == "1.1.1"


@pytest.mark.parametrize("clause", ["我形成的调研报告只有1篇被采纳，", "虽然群众满意度有所提升，", "工作赢得一些点赞，但",
                                    "群众对办事效率不满意，", "群众说“您放心”，"])
def test_a_limited_conceded_or_turned_outcome_is_not_achievement_talk(clause):
    assert hits(GOOD.replace(POINT, clause + POINT), "voice.achievement") == []


@pytest.mark.parametrize("flaw", ["我最大的毛病是太认真，常常熬夜改稿。", "为了赶进度，我连续两年没休年假。",
                                  "我对同事要求过高，总想事事做到最好。"])
def test_a_virtue_presented_as_a_flaw_is_self_praise(flaw):
    found = hits(GOOD.replace(POINT, flaw + POINT), "voice.achievement")
    assert found and "以优点代缺点" in found[0].message


@pytest.mark.parametrize("shortfall", ["我不敢较真碰硬，怕得罪人。", "一次深夜接到群众来电，我没有及时处理。",
                                       "我对下属要求过高却指导不够，工作推不动。"])
def test_a_real_shortfall_near_a_virtues_words_is_not_a_faux_flaw(shortfall):
    found = hits(GOOD.replace(POINT, shortfall + POINT), "voice.achievement")
    assert not [f for f in found if "以优点代缺点" in f.message]


@pytest.mark.parametrize("subject", ["几名年轻干部", "该同志", "机关上下", "咱们", "窗口工作人员在办件时"])
def test_a_group_by_number_a_third_person_or_a_people_noun_opening_a_clause_is_a_subject(subject):
    found = hits(GOOD.replace(POINT, f"{subject}把学习当成任务来完成"), "voice.group_subject")
    assert found and found[0].section == "1.1.1"


@pytest.mark.parametrize("sentence", ["我对分管部门、干部要求不严", "作为一名党员干部，我把学习当成任务来完成",
                                      "我认为同志们都会从严要求自己"])
def test_people_nouns_as_objects_or_in_ones_own_role_are_no_group_subject(sentence):
    assert hits(GOOD.replace(POINT, sentence), "voice.group_subject") == []


@pytest.mark.parametrize("boast", ["我牵头修订的两项制度均经市政府常务会议审议通过，", "我带的队伍在全市业务比武中包揽前两名，",
                                   "我县营商环境排名上升了九位，", "经我协调，审批时限缩短了一半，", "我所在的科室被命名为“青年文明号”，",
                                   "我负责的督查工作受到市委通报表扬，", "我分管的窗口全年零投诉，"])
def test_wins_rankings_passes_and_honours_in_other_words_are_achievements(boast):
    found = hits(GOOD.replace(POINT, boast + POINT), "voice.achievement")
    assert found and found[0].section == "1.1.1"


@pytest.mark.parametrize("clause", ["全县营商环境排名倒数第一名，", "方案未经审议通过就印发了，", "我推动的改革只缩短了1天，",
                                    "全县营商环境排名比上年下降3位，"])
def test_losses_and_shortfalls_in_the_same_words_are_not_achievements(clause):
    assert hits(GOOD.replace(POINT, clause + POINT), "voice.achievement") == []


@pytest.mark.parametrize("praise", ["我从不计较个人得失，先后两次把评优名额让给了年轻同志。", "我的短板是心太软，常常自掏腰包帮困难职工。",
                                    "去年做手术期间，我仍坚持在病房里审阅文件。"])
def test_virtues_with_no_virtue_word_of_the_old_lists_are_self_praise(praise):
    assert hits(GOOD.replace(POINT, praise + POINT), "voice.achievement")


@pytest.mark.parametrize("shortfall", ["我对身边干部心太软，失之于宽，该批评的没有批评。", "我从未完整读过一本原著。",
                                       "对困难企业的资助政策落实不到位。"])
def test_shortfalls_near_those_words_are_not_self_praise(shortfall):
    assert hits(GOOD.replace(POINT, shortfall + POINT), "voice.achievement") == []


@pytest.mark.parametrize("subject", ["各股室普遍", "各乡镇党委对", "广大干部职工", "全体党员"])
def test_every_unit_of_a_kind_or_the_whole_membership_is_a_group_subject(subject):
    found = hits(GOOD.replace(POINT, f"{subject}把学习当成任务来完成"), "voice.group_subject")
    assert found and found[0].section == "1.1.1"


@pytest.mark.parametrize("sentence", ["我对各科室督促不够", "我带领全体党员把学习当成任务来完成", "我对广大群众的诉求回应不及时"])
def test_all_units_or_members_as_objects_are_no_group_subject(sentence):
    assert hits(GOOD.replace(POINT, sentence), "voice.group_subject") == []


@pytest.mark.parametrize("praise", ["我的缺点是眼里揉不得沙子，常让下属觉得标准定得太高。", "爱人总说我没睡过一个安稳觉，心里只有工作。",
                                    "我宁愿自己吃亏，也不让同事为难。", "老百姓都说我是最好找的干部，随叫随到。",
                                    "我写材料一丝不苟，交出的稿子滴水不漏。", "在同期干部中，我的业绩始终数一数二。"])
def test_praise_worded_as_a_flaw_or_as_others_words_is_achievement_talk(praise):
    assert hits(GOOD.replace(POINT, praise + POINT), "voice.achievement")


@pytest.mark.parametrize("shortfall", ["群众说我是“二传手”，只转不办。", "我审核材料不细，漏了两处数据错误。"])
def test_criticism_in_the_same_shapes_is_not_praise(shortfall):
    assert hits(GOOD.replace(POINT, shortfall + POINT), "voice.achievement") == []


@pytest.mark.parametrize("boast", ["群众给我送来两面锦旗，", "经我协调，这笔拖欠款已全部化解，", "我在岗位练兵中夺得头名，"])
def test_thanks_tokens_and_problems_solved_for_good_are_achievements(boast):
    assert hits(GOOD.replace(POINT, boast + POINT), "voice.achievement")


def test_a_few_deputies_are_a_group_subject():
    assert hits(GOOD.replace(POINT, "几位副职把学习当成任务来完成"), "voice.group_subject")


@pytest.mark.parametrize("subject", ["病区几位值班护士", "教务处的老师们", "队里有的辅警", "班组长们", "前任领导班子",
                                     "所里不少协管员"])
def test_people_by_any_role_as_the_subject_are_a_group(subject):
    found = hits(GOOD.replace(POINT, f"{subject}对交接工作应付了事，{POINT}"), "voice.group_subject")
    assert found and found[0].section == "1.1.1"


@pytest.mark.parametrize("sentence", ["这些短板全部长期存在，我把学习当成任务来完成", "我向老师们请教不够，把学习当成任务来完成"])
def test_a_role_word_inside_another_word_or_as_an_object_is_no_group(sentence):
    assert hits(GOOD.replace(POINT, sentence), "voice.group_subject") == []


@pytest.mark.parametrize("boast", ["我牵头的节能改造每年为单位节约电费六十余万元，", "经我手办理的投诉件无一反弹，",
                                   "我们科刚刚捧回“文明窗口”的牌子，", "我带的班有九人考上重点高校，"])
def test_results_in_chinese_numerals_none_failed_trophies_and_pupils_places_are_achievements(boast):
    assert hits(GOOD.replace(POINT, boast + POINT), "voice.achievement")


@pytest.mark.parametrize("shortfall", ["我节约成本的意识不强，", "我办结的信访件中有两件出现反弹，"])
def test_the_same_words_naming_a_shortfall_are_no_achievement(shortfall):
    assert hits(GOOD.replace(POINT, shortfall + POINT), "voice.achievement") == []


@pytest.mark.parametrize("praise", ["要说毛病，就是对工作太上心，周末也常被叫回单位。", "我的不足是干劲太足，常常忘了下班。",
                                    "我对窗口倾注的精力太多，亏欠了家里的孩子。", "我这个人不善于表功，做了不少实事却很少汇报。",
                                    "我对自己要求过于苛刻，父母住院都没顾上请假。", "工作中我总是冲在最前面，难事从来不推给别人。"])
def test_a_virtue_in_excess_family_owed_modesty_or_never_shirking_is_praise_as_a_flaw(praise):
    assert hits(GOOD.replace(POINT, praise + POINT), "voice.achievement")


def test_a_real_flaw_in_the_same_frame_is_not_praise():
    text = GOOD.replace(POINT, "要说毛病，就是对下属要求过于宽松，出了差错也不批评。" + POINT)
    assert hits(text, "voice.achievement") == []


def test_load_told_as_the_cause_is_an_excuse():
    found = hits(GOOD.replace(CAUSE, "窗口长期超负荷运转，抽不出时间学习。"), "voice.excuse")
    assert found and found[0].section == "2.1"
