"""Recall of `check`: realistic defects put into real statements, caught in the right category and section?

Run: `.venv/bin/python benchmarks/perturb.py [FOLDER ...]` (default: `../shared/corpus`, `../corpus/real`
when present, and the two cleaned samples for the parts that excerpts lack). Each defect below is
worded here, in several wordings a reviewer meets, and put into every document where it fits: a
problem point, the causes, the measures, the opening or the title. A defect counts as caught when a
finding of its category appears that the unchanged document did not have, in the section changed
(or inside it). Prints the catch rate per defect kind and overall; asserts nothing.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agent.check import check_document, resolve_theme  # noqa: E402
from agent.document import Document, Node  # noqa: E402
from agent.parser import parse_text  # noqa: E402
from benchmarks.check_quality import DEFAULT_FOLDERS, corpus_text  # noqa: E402

# (kind, category, where, wordings). `where`: point (inserted at the start of a problem point's body),
# point_end (appended to a problem point),
# cause / measure (a new item replacing the first one's body), opening (appended), title (rewritten).
# Each list starts with the first wordings, then the rounds written later as unseen tests (each round was
# measured once before any rule was changed for it; the figures are in the issue notes), then kept here.
DEFECTS: list[tuple[str, str, str, list[str]]] = [
    ("group subject", "voice", "point", [
        "个别班子成员对新理论学得不深，", "有的干部存在等上级安排的思想，", "少数党员对学习敷衍了事，", "一部分工作人员办事拖拉，", "一些科室负责人习惯于层层转发文件，", "有些同志把调研当成走过场，",
        "不少同志满足于完成规定动作，", "相当一部分干部习惯于坐在办公室听汇报，", "我们在工作中习惯于按老办法办事，", "机关里个别干部遇事绕着走，", "一些基层同志政策水平不高，",
        "部分分管科室负责人责任心不强，", "极个别老同志有松劲思想，", "有些年轻同志吃苦精神不够，", "少数窗口人员服务态度生硬，", "身边部分工作人员纪律松散，", "个别分管单位负责同志抓落实不力，",
        "部分村干部法治意识淡薄，", "有的驻村工作队员作风漂浮，", "我们有些干部满足于现状，", "一部分机关党员理论学习不深，", "少数年轻同志怕担责任，", "有的社区网格员入户走访不勤，",
        "个别中层干部不想担当，", "部分乡镇党委书记抓党建精力不足，", "一些执法人员存在简单粗暴现象，", "少数机关干部热衷于迎来送往，", "有些老党员参加组织生活不积极，", "个别派出所民警执法不规范，",
        "部分年轻教师备课不认真，", "有的联络员传达精神打折扣，", "少数基层站所工作人员服务意识差，", "一些党小组长组织学习走形式，", "有的分管副职不愿碰硬，", "个别街道办事处主任对信访工作不上心，",
        "部分新录用公务员不安心基层，", "有的帮扶责任人一年只去两次，", "少数企业负责人法律意识淡薄，", "一些科级干部存在“躺平”心态，", "有些同志讲话照本宣科，", "个别县直部门一把手重业务轻党建，",
        "部分社区工作者对政策一知半解，", "有的挂职干部只挂不干，", "少数村两委成员宗旨意识淡薄，", "一些青年干部缺乏基层历练，", "有的同事怕得罪人，", "身边个别同志对政策吃得不透，",
        "单位里有的人遇事推诿扯皮，", "少部分党员干部学习浮于表面，", "我们支部有的同志不愿意啃硬骨头，", "科室里个别年轻人作风漂浮，", "我们在工作中满足于一般化要求，", "大家普遍存在松懈情绪，",
        "很多党员干部习惯于按部就班，",
        "全局上下不同程度存在重部署轻落实的现象，", "咱们单位的同志普遍对新业务不够熟悉，",
        "本支部党员中仍有人把学习当任务应付，", "分管口子上的几位科长遇到矛盾习惯往上交，",
        "党组成员在调查研究上投入的时间普遍不足，", "年轻干部当中存在本领恐慌，",
        "该同志在理论学习上存在浅尝辄止的情况，", "局机关干部职工对群众诉求回应不及时，",
        "领导班子整体对意识形态领域风险研判不够，", "他在推进重点项目时瞻前顾后，",
        "各科室普遍存在公文办理超时现象，", "广大党员运用新媒体做群众工作的本领还不足，",
        "某些分管领导对下属失之于宽、失之于软，", "办公室几名工作人员对保密规定执行不严，",
        "基层党组织书记队伍中不少人缺乏做群众工作的办法，", "下属单位的负责同志存在报喜不报忧的倾向，"]),
    ("achievement talk", "voice", "point", [
        "全年招商引资实现了两位数增长，", "该项工作连续三年在全市考核中排名第一，", "我牵头的项目获评省级示范，", "确保了重点工程顺利推进，", "相关做法被上级作为经验推广，", "超额完成了年度目标任务，",
        "分管的招商工作全年引进项目18个，总投资超过50亿元，", "今年我牵头的改革任务全部提前完成，", "所在单位被授予全省先进集体，", "我撰写的调研报告获得市委主要领导批示肯定，",
        "全年信访积案化解率达到100%，", "去年全区经济增速全市第一，", "在全省考评中获得优秀等次，", "在全市年度绩效考核中位列第二，", "我带领团队攻克了多个技术难题，得到了省厅的高度评价，",
        "全镇环境整治工作成效明显，群众拍手称快，", "这项改革经验在全省推广，", "分管领域各项指标均超额完成，", "我负责的项目荣获省优质工程奖，", "分管的民生实事项目全部提前半年完工，",
        "本人撰写的论文在核心期刊发表，", "该项工作荣获市级创新奖，", "经过半年努力，群众信访量下降了四成，", "全区的招商引资额位居全市前三，", "我主持的课题获省社科成果一等奖，",
        "我所在单位的做法被中央媒体报道，", "该项目投产后年产值突破10亿元，", "我连续两年被评为优秀共产党员，", "在我的协调下，多年的遗留问题得到圆满解决，", "全县脱贫攻坚工作受到国务院表彰，",
        "我的讲话稿多次被上级转发，", "去年我区一般公共预算收入增长12%，", "我推动建成了全省首个智慧农业示范园，", "这项工作得到了群众的普遍认可，", "我联系的村成功创建省级文明村，",
        "本人多次在全市大会上作典型发言，", "在大家的共同努力下，各项任务圆满收官，", "我主导的数字政务平台上线后好评如潮，", "去年全县粮食产量再创历史新高，", "我分管的医保工作在国家考核中获评优秀，",
        "经我协调，企业拖欠的工资全部追回，", "这项经验做法被写入省委文件，", "我的调研成果转化为全市的政策文件，", "在我的推动下，全县营商环境评价跃居全省第3位，", "我分管的工作多次受到市领导肯定，",
        "我连续三年年度考核被评为优秀，", "群众满意度达到了98%以上，", "经过努力，这项工作走在了全市前列，", "我主持制定的办法被省里转发推广，", "所分管的项目全部按期竣工投用，成效明显，",
        "今年以来我牵头办结的热线工单满意率位居全市第一，", "我包联的企业今年新增就业岗位300余个，",
        "在我的督促下，全年土地出让收入首次突破20亿元，", "我所带的科室今年被评为全市“五星级”窗口，",
        "任职三年来，全镇人均可支配收入年均增长9.6%，", "全省乡村振兴现场会放在我联系的镇召开，",
        "经我多方奔走，争取上级资金1.2亿元，", "我负责的审计项目查出违规资金3000余万元，受到通报表扬，",
        "我起草的三份文件均获省委常委会审议通过，", "本人分管的安全生产领域连续五年实现零事故，",
        "在今年的全省技能大赛中，我指导的选手包揽前三名，", "在全国文明城市测评中，我市名次跃升了十七位，",
        "我推动的“一件事一次办”改革使办事时限压缩了七成，", "我带队完成的普查任务被国家统计局通报表扬，",
        "我统筹筹办的全国性现场会圆满成功、零差错，", "我所在的党支部今年被命名为“四强”党支部，"]),
    ("self-praise sentence", "voice", "point", [
        "我始终坚持深入基层，经常到企业走访，及时帮助他们排忧解难。", "平时我积极参加各类学习，认真撰写心得体会。", "我总是带头加班加点，主动承担急难险重任务。", "工作中我注重调查研究，善于从群众中汲取智慧。",
        "我始终保持艰苦朴素的作风，从来不搞特殊化。", "工作之余我常常自学到深夜，已读完二十多本理论著作。", "我一向注重团结同志，班子关系融洽。", "面对急难险重任务，我总是冲锋在前。",
        "我坚持每天学习一小时，从未间断。", "在疫情防控中，我始终坚守岗位，连续三个月吃住在单位。", "对群众反映的问题，我都是第一时间协调解决。", "我严于律己，从不收受任何礼品礼金。",
        "我始终把群众的事当成自己的事来办，深受群众信赖。", "我经常深入田间地头，与农民群众同吃同住。", "在项目建设中，我总是靠前指挥，确保了工程进度。", "作为一名老党员，我从来都是服从组织安排。",
        "我一直把廉洁自律作为立身之本，守住了底线。", "对分管工作，我事事亲力亲为，从不推给别人。", "平时我十分注重学习，每年读书都在二十本以上。", "我坚持深入基层调研，掌握了大量第一手资料。",
        "我对自己要求一直很严，八小时以外也从不放松。", "多年来我坚持写学习笔记，累计写了十余万字。", "每逢重大节日，我都主动留守值班，让其他同志回家团聚。", "我始终以一名普通党员的标准要求自己，处处做表率。",
        "我始终保持昂扬的工作状态，加班加点是常态。", "无论工作多忙，我都坚持参加支部的每一次活动。", "我向来敢于较真碰硬，在原则问题上从不让步。", "我注重倾听群众意见，群众有事都愿意来找我。",
        "我一贯严格要求自己，工作从不讲条件。", "平时我坚持读书看报，学习笔记记了好几本。", "我经常放弃节假日休息，始终奋战在一线。", "我对同志们关心关爱，大家都愿意找我谈心。",
        "我最大的不足是工作太拼，常常顾不上家里。", "有时对同志们要求过高，是因为我自己一直以更高标准要求自己。",
        "我这个人太较真，一份材料往往要亲自改上五六遍才放心。", "我把全部心思都扑在工作上，连续几年没有休过年假。",
        "群众有事打我手机，我半夜也会接，这一点大家都知道。", "我过于追求尽善尽美，总想把每件事都做到最好。",
        "我总怕辜负组织信任，事事冲在前面，别人干不好的我都自己顶上。", "参加工作以来我从未因私事请过一天假。",
        "我的问题在于心太软，看到困难群众总忍不住自掏腰包接济。", "我对钱财看得很淡，工资大多用来资助贫困学生。",
        "说起来惭愧，我总是把功劳让给年轻同志，自己甘当绿叶。", "同事们常说我是单位里的“活字典”，遇到政策问题都来请教我。",
        "生病住院期间，我仍坚持在病床上批阅文件。", "我从不计较个人得失，几次提拔机会都主动让给了别人。",
        "我性子直，看到不正之风总要当面指出来，为此得罪过不少人。", "作为班子里最早到岗、最晚离开的人，我始终以身作则。"]),
    ("cause written as a pledge", "correspondence", "cause", [
        "我应该把理论学习摆在更加突出的位置，坚持每天读原著。", "今后要进一步加强党性锻炼，时刻以党章为镜。", "我需要持续改进工作作风，切实做到真抓实干。", "因此，我必须认真落实各项制度，带头严守纪律。"]),
    ("pledge in a problem", "concreteness", "point_end", [
        "这个问题需要我今后更加注重改进。", "如果能够多到一线看一看，这些问题就会得到解决。", "这件事让我认识到，必须进一步增强责任意识。", "因此，我会更加注重学以致用。", "今后一定引以为戒。",
        "我将以更高标准要求自己，把这个问题解决好。", "在今后工作中，我会注意克服这种倾向。", "这一点我会在下一阶段重点改进。", "这是我今后必须着力解决的问题。", "对此我已深刻反省，决心彻底改正。",
        "下步将建立台账，逐项销号。", "我要以此为戒，举一反三。", "我一定在今后的工作中注意改进。", "今后会把这方面作为重点来抓。", "我打算下半年专门拿出时间补上这一课。",
        "对于这个问题，我会认真对待，努力克服。", "我准备从下个月起每周抽出半天时间专门学习。", "在下一步工作中，我将切实加以改进。", "今后我会对照问题清单逐项整改。", "这方面我一定会认真改正。",
        "我将在明年上半年拿出整改方案。", "这个问题我会尽快解决。", "今后我要努力做到学以致用。", "对此，我将加强学习，迎头赶上。", "我计划年底前把欠账补上。", "今后在这方面我会加倍努力。",
        "我有信心也有决心把这个问题改过来。", "我将以这次检查为新起点，认真整改。", "今后我将在这方面下更大功夫。", "下一步，我要认真加以改进。", "对此，我一定认真反思，切实整改到位。",
        "我决心以此次民主生活会为契机，加以改正。",
        "我向组织保证，此类问题今后绝不会再出现。", "接下来我会把这件事放在心上，抓紧改。",
        "这一短板，我将力争在三个月内补齐。", "恳请大家今后多提醒、多监督，我一定改。",
        "从现在起，我要把每周四下午固定为下基层时间。", "我下决心从根子上把这个毛病改掉。",
        "今后遇到类似情况，我会第一时间主动担当。", "此问题拟纳入个人整改清单，限期完成。",
        "往后每次下乡，我都要至少住上一晚。", "这笔账我记下了，明年述职时向大家交账。",
        "我会把这一条抄在笔记本扉页上，时时提醒自己。", "争取在本届任期内彻底扭转这一局面。",
        "今年剩下的几个月里，我要把落下的功课一点一点补回来。", "下一阶段我力求做到件件有回音、事事有着落。",
        "我愿意接受组织的批评帮助，坚决改正。", "改，必须改，而且要马上改。"]),
    ("objective excuse", "voice", "cause", [
        "主要是因为这一时期工作任务过于繁重，实在抽不出时间学习。", "客观上基层人手少、事情多，很多工作顾不过来。", "由于上级临时交办的事务太多，学习时间难以保证。",
        "受疫情和经济下行等外部因素影响，许多工作推进不了。", "究其原因，一方面是分管工作点多面广，难以面面俱到。", "这与基层财力紧张、项目资金不到位有很大关系。",
        "客观上也有上面政策变化快、配套措施跟不上的因素。", "因为经常加班到深夜，身心俱疲，学习热情有所下降。", "这些问题的产生，与近年来经济下行压力加大、财政收支矛盾突出有很大关系。",
        "由于机构改革后人员变动频繁，工作衔接不够顺畅。", "分管的工作多而杂，牵扯了大量精力。", "上级各类检查考核过多过频，基层疲于应付。", "因为分管的领域专业性强，自己又缺乏相关经验，所以进展不快。",
        "主要还是受制于资金、土地等要素保障不足。", "近年来各项改革任务叠加，工作节奏快，难以沉下心来学习。", "由于长期在基层工作，接触上级精神的机会少。", "受经济下行影响，许多目标任务难以完成。",
        "由于基层工作千头万绪，难免有所疏漏。", "因为岗位调整频繁，对新领域还不熟悉。", "限于当地条件，不少想法无法落地。", "受新冠疫情三年冲击，很多计划被打乱。", "当地发展基础差、底子薄，短期内难以见效。",
        "因为上级考核指标多、要求高，不得不把主要精力放在迎检上。", "囿于编制限制，专业人才严重不足。", "这与我所在岗位事务性工作占比过高有一定关系。", "加上近两年分管领域频繁调整，难以深入钻研。",
        "受制于财力紧张，一些惠民项目迟迟不能启动。", "主要是基层人少事多，很多要求落不下去。", "由于人手紧张、事务性工作多，学习的时间被挤占了。", "加之分管领域头绪多、事务杂，难以静下心来研究问题。",
        "客观上受疫情影响，很多调研计划未能实施。", "主要是基层任务繁重，精力有限，顾此失彼。",
        "这主要源于编制长期空缺，一人要顶两三个岗位。", "说到底，还是上面文件太多、会议太多，基层实在应接不暇。",
        "乡镇财政基本是吃饭财政，很多事情有心无力。", "这些问题很大程度上是历史遗留下来的，非一朝一夕形成。",
        "前任留下的摊子比较复杂，接手后需要时间理顺。", "上级主管部门的考核导向偏重数据指标，客观上造成了重留痕轻实效。",
        "单位办公条件差、信息化水平低，影响了工作效率。", "近年来群众诉求日益多元，工作难度成倍增加。",
        "客观地说，去年以来汛情、旱情接连发生，应急处置牵扯了主要精力。", "我所在地区地处偏远、交通不便，外出学习培训的机会本就不多。",
        "这与单位长期形成的论资排辈风气有关，新人很难放开手脚。", "相关法律法规尚不健全，很多事情找不到依据，只能按惯例办。",
        "主要原因在于上级授权不足，许多事情乡镇想办也没有权限。", "年龄大了，精力和记忆力都不如从前，接受新知识比较吃力。",
        "这几年社会上拜金主义、享乐主义思潮泛滥，对党员干部的思想冲击很大。", "我是从企业转任过来的，对机关的规矩和程序本来就不熟悉。"]),
    ("slogan measure", "concreteness", "measure", [
        "进一步加强理论学习，持续提升政治能力。", "定期开展谈心谈话，常态化抓好作风建设。", "今后要长期坚持，努力把工作做得更好。", "持续深化学习，不断增强本领，切实改进作风。",
        "不断提高政治判断力、政治领悟力、政治执行力。", "坚持以人民为中心，切实转变作风。", "始终保持清正廉洁的政治本色。", "认真抓好问题整改，确保取得实效。", "牢固树立正确政绩观，持续改进工作作风。",
        "深入学习贯彻党的创新理论，做到学思用贯通。", "切实履行全面从严治党责任，筑牢拒腐防变防线。", "加强自身建设，努力做一名合格党员。", "时刻绷紧纪律这根弦，做到警钟长鸣。",
        "不断增强“四个意识”，坚定“四个自信”，做到“两个维护”。", "在以后的工作中努力改进，不断进步。", "以更加饱满的热情投入到工作中去。", "坚定理想信念，筑牢信仰之基。", "全面提升综合素质和履职能力。",
        "持之以恒正风肃纪，驰而不息纠治“四风”。", "继续发扬优良传统，永葆政治本色。", "进一步强化宗旨意识，践行初心使命。", "坚持守正创新，推动各项工作再上新台阶。", "自觉接受监督，做到干净干事。",
        "持续深化作风建设，营造风清气正的良好氛围。", "始终把纪律和规矩挺在前面。", "不断提高运用党的创新理论指导实践的能力。", "切实做到守土有责、守土尽责。", "以钉钉子精神抓好各项工作落实。",
        "持续加强理论武装，不断提高政治站位，切实增强“四个意识”。", "进一步转变工作作风，切实为群众办实事、解难题。", "常态化抓好学习教育，长期坚持、久久为功。", "今后继续努力，争取把各项工作做得更好。",
        "以更高的标准、更严的要求、更实的作风推动整改落地见效。", "做到真学真懂真信真用。",
        "切实把初心使命转化为干事创业的强大动力。", "努力在学懂弄通做实上下功夫。",
        "坚决扛起政治责任，以实际行动诠释对党的忠诚。", "从思想深处查找根源，做到立行立改、真改实改。",
        "把严的基调、严的措施、严的氛围长期坚持下去。", "不断提升为民服务的温度和效能。",
        "把党的政治建设摆在首位，在大是大非面前站稳立场。", "牢记“三个务必”，永远保持谦虚谨慎、艰苦奋斗的作风。",
        "心往一处想、劲往一处使，凝聚起攻坚克难的强大合力。", "让学习成为一种习惯、一种追求、一种生活方式。",
        "以刀刃向内的勇气推进自我革命，真正把问题改到位、改彻底。", "进一步健全完善长效机制，推动整改常态化、制度化。",
        "当好人民群众的贴心人，把好事实事办到群众心坎上。", "对标先进找差距，奋力争先创一流。"]),
    ("mask left in", "placeholder", "point", [
        "在XX项目推进中，", "于X月组织的调研中，", "对____同志反映的问题，", "在[具体项目]中，", "（待补充）", "在**镇开展的检查中，", "在＊＊乡调研时，", "于202X年，",
        "在〇〇社区，", "对[某单位]的意见，", "在XX同志反映的问题上，", "在XX县XX镇调研时，", "于20XX年X月X日，", "在***工作会议上，", "对（单位名称）反映的问题，", "在△△村，",
        "在____乡____村，", "于××××年××月，", "在XX市XX区，", "对＿＿＿同志，", "在〔 〕项目中，", "在XXXX年，", "对**同志，", "在□□乡，",
        "在（地点）召开的会议上，", "于____年，", "在XX年XX月，", "对某同志反映的问题，", "在＃＃项目中，", "于（具体时间），", "在**路段，", "在XX乡镇，", "于202X年X月，",
        "对XXX反映的问题，", "在___会议上，", "于（日期）召开的会议上，", "在××工程建设中，", "于2025年×月，", "在某某村走访时，", "对【姓名】同志的意见，", "在XXX街道，",
        "在【单位】组织的督查中，", "经□□□同志提醒，",
        "于{日期}，", "在{{项目名称}}推进过程中，",
        "在×县×乡，", "于____月____日的调度会上，",
        "对<姓名>的诉求，", "在（此处填写具体工作）中，",
        "在${地点}走访时，", "于〈年月日〉召开的专题会上，",
        "对ＸＸ（姓名）同志提出的意见，", "在全市第__次督查中，",
        "在ABC公司的项目审批中，", "在【请填写分管领域】工作中，",
        "于…年…月，", "对张三同志反映的问题，"]),
    ("prompt echo / meta-prose", "contamination", "point", [
        "以下是根据要求撰写的内容：", "【检查发现的问题】", "本段重点写理论学习方面的问题。", "summary：", "注：此处可结合实际补充案例。", "（本部分约300字）", "以下内容供参考：",
        "（请结合本人实际修改）", "本文约3000字，分为四个部分。", "按照您的要求，我为您撰写了这一部分。", "这段话重点体现了自我批评精神。", "（以上为示例，请替换为真实内容）",
        "本部分内容可根据个人实际情况进行调整。", "下面是修改后的版本：", "以下从三个方面展开：", "好的，以下是您需要的对照检查材料。", "（字数：约500字）", "本段主要说明理论学习方面存在的不足。",
        "参考范文如下：", "请注意：以下内容需结合个人情况修改。", "以下为对照检查材料正文：", "（注意：需用第一人称）", "根据提供的素材，整理如下：", "（本节完）", "如需调整请告诉我。",
        "（以下内容由系统生成）", "正文开始：", "注意事项：请勿照抄。", "材料写作提示：多用第一人称。", "小结：", "下面我按照您给的提纲来写：", "（此段可删减）",
        "以上是第一部分，下面是第二部分。", "以下是我的对照检查内容：", "希望这份材料对您有所帮助。", "（此处请根据实际情况补充事例）", "注：以上内容仅供参考，可根据实际修改。",
        "要求：以“我”为主语，不少于300字。", "作为一个AI助手，",
        "当然，我可以帮您进一步润色这段内容。", "【批注：这条问题偏软，建议换一个】",
        "此条对应征求意见中的第3条，撰写时注意衔接。", "（模板示例，使用时删除括号内文字）",
        "以下内容已按照“问题—表现—案例”的结构组织：", "修改说明：本段根据领导意见压缩了篇幅。",
        "这一段写得比较概括，您可以再加一个亲身经历。", "二稿待审：",
        "温馨提示：此条建议控制在200字以内。", "我理解您想要一段更有批判性的表述，调整如下：",
        "（编者按：本条问题由办公室统一提供，各位可酌情选用）", "（标红部分为新增内容）",
        "此处沿用了去年材料的表述，需更新数据。", "按照“见人见事见思想”的要求，本条写作如下：",
        "以下文字可直接复制使用。", "抱歉，刚才的回答不够完整，现补充如下："]),
    ("case missing", "concreteness", "strip_case", [
        ""]),
    ("fact said twice", "duplication", "echo_point", [
        ""]),
    ("wrong count in opening", "correspondence", "opening", [
        "现从九个方面对照检查如下。", "共查摆出问题27个，现报告如下。"]),
    ("title for another year", "correspondence", "title", [
        ""]),
]
CASE_RE = re.compile(r"[。；]?(?:如[，,：:]|(?:比如|例如|譬如)[，,：:]?)[^。]*。")  # 如何… is no case marker


def points(doc: Document) -> list[Node]:
    """The first point (or the area itself) of each problem area."""
    out = []
    for part in doc.parts("problems"):
        for section in part.children:
            out.append(section.children[0] if section.children else section)
    return out


def _insert(text: str, at: int, piece: str) -> str:
    return text[:at] + piece + text[at:]


def variants(text: str, doc: Document, where: str, wording: str) -> list[tuple[str, str]]:
    """(perturbed text, id of the section changed) for each place the defect fits."""
    out = []
    if where == "point":
        out = [(_insert(text, p.body_start, wording), p.id) for p in points(doc)[:2]]
    elif where == "point_end":  # after what the point says, where a writer adds a pledge
        for p in points(doc)[:2]:
            end = len(text[:p.end].rstrip())
            # An excerpt's point may stop mid-sentence: the pledge still comes as a sentence of its own.
            out.append((_insert(text, end, ("" if text[end - 1] in "。；！？" else "。") + wording), p.id))
    elif where in ("cause", "measure"):
        part = doc.part("causes" if where == "cause" else "measures")
        if part and part.children:
            first = part.children[0]
            out = [(text[:first.body_start] + wording + text[first.end:], first.id)]
    elif where == "opening" and doc.part("opening"):
        node = doc.part("opening")
        out = [(_insert(text, node.end, wording), node.id)]
    elif where == "title" and doc.part("title"):
        node = doc.part("title")
        years = re.findall(r"20\d\d", doc.slice(node))
        if years:
            other = str(int(years[0]) - 2)
            out = [(text[:node.start] + doc.slice(node).replace(years[0], other) + text[node.end:], "title")]
    elif where == "strip_case":
        for p in points(doc)[:2]:
            body = text[p.body_start:p.end]
            if CASE_RE.search(body):
                out.append((text[:p.body_start] + CASE_RE.sub("。", body) + text[p.end:], p.id))
    elif where == "echo_point":
        for p in points(doc)[:2]:
            body = text[p.body_start:p.end]
            first = re.match(r"[^。]{8,60}。", body)
            if first:
                out.append((text[:p.end] + "如，" + first.group(0) + text[p.end:], p.id))
    return out


def check(text: str) -> list:
    doc = parse_text(text, repair=False)
    return check_document(doc, theme=resolve_theme(doc, None, None)).findings


def caught(before: list, after: list, category: str, section: str) -> bool:
    """A finding of the category in the changed section that the unchanged document had fewer of."""
    def here(f) -> bool:
        return f.category == category and (
            f.section == section or f.section.startswith(section + ".") or section.startswith(f.section + ".")
            or (section == "opening" and f.section in ("opening", "title")))

    old = Counter((f.rule, f.excerpt) for f in before if here(f))
    new = Counter((f.rule, f.excerpt) for f in after if here(f))
    return any(new[k] > old[k] for k in new)


def main(argv: list[str]) -> None:
    folders = [Path(a) for a in argv] or [f for f in DEFAULT_FOLDERS if f.is_dir()]
    files = sorted(p for folder in folders for p in folder.glob("*.txt"))
    texts: list[tuple[str, str]] = [(p.name, corpus_text(p)) for p in files]
    texts += [(p.name, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "fewshot" / "clean").glob("*.txt"))]
    tried, hits = Counter(), Counter()
    misses: list[str] = []
    for name, raw in texts:
        from agent.normalize import repair_extraction

        text = repair_extraction(raw)  # perturb what check sees, so offsets line up
        doc = parse_text(text)
        before = check(text)
        for kind, category, where, wordings in DEFECTS:
            if kind == "group subject" and doc.kind.voice == "group":
                continue  # 部分班子成员 is a 班子 statement's own voice
            if where == "opening" and not all(doc.part(k) for k in ("problems", "causes", "measures")):
                continue  # counts are judged against the body only in a whole statement, not an excerpt
            for wording in wordings:
                for changed, section in variants(text, doc, where, wording):
                    tried[kind] += 1
                    if caught(before, check(changed), category, section):
                        hits[kind] += 1
                    else:
                        misses.append(f"{kind:24} {name:40} {section:8} {wording[:20]}")
    print(f"{len(texts)} documents")
    for kind, *_ in DEFECTS:
        if tried[kind]:
            print(f"{kind:26} {hits[kind]:4}/{tried[kind]:<4} {100 * hits[kind] / tried[kind]:5.0f}%")
    total_tried, total_hits = sum(tried.values()), sum(hits.values())
    print(f"{'all':26} {total_hits:4}/{total_tried:<4} {100 * total_hits / max(1, total_tried):5.0f}%")
    if "--misses" in sys.argv:
        print("\n".join(misses))


if __name__ == "__main__":
    main([a for a in sys.argv[1:] if not a.startswith("-")])
