"""Training the second reader: the fitted weights, as the product loads them, tell the labels apart."""

from __future__ import annotations

from agent.rules.second_reader import Model, probabilities
from benchmarks.train_second_reader import own_negatives, positives, train, weights_file


def test_weights_trained_on_two_kinds_of_sentence_tell_them_apart():
    none = ["我学习不够深入。", "我调研不够经常。", "我对群众诉求回应不及时。", "我批评与自我批评不够。"] * 3
    boast = ["我们科包揽了全市前三名。", "我的经验被全省推广。", "我荣获了先进个人称号。", "我带的团队拿了金奖。"] * 3
    vocab, w, b = train(none + boast, [0] * len(none) + [1] * len(boast), 2)
    data = weights_file(["none", "boast"], vocab, w, b)
    m = Model.from_weights(data)
    assert probabilities("我又拿了金奖。", m)["boast"] > 0.5
    assert probabilities("我调研不够深入。", m)["none"] > 0.5


def test_training_data_holds_planted_wordings_and_our_own_negatives():
    pos = positives(["group subject"])
    assert pos and all(kind == "group subject" for kind, _ in pos)
    negatives = own_negatives()
    assert "主要有以下几个方面：" in negatives  # a signpost
    assert any("只有" in n for n in negatives)  # a shortfall with a figure, from our notes
