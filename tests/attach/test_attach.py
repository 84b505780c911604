"""The attach ranker (issue 12): candidates, features, training, the model file
and the relations stage using it.  Texts are written for these tests."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from spacy.language import Language

from pipeline import api
from pipeline.attach.ranker import Ranker, load_ranker, train_ranker
from pipeline.attach.train import ArticleFacts, collect, examples, records_with, train
from pipeline.evaluate import score
from pipeline.paths import repo_path

RULE_STAGES = ["entities", "places", "numbers", "scope", "relations"]

TEXTS = {
    "t1": ("通城县位于湘鄂赣三省交界处。全县共有脱贫户1200户。\n石南村:产业带动增收\n"
           "今年石南村新建茶园，带动农户86户增收，村集体收入达到12万元。"
           "马港村与石南村接壤，马港村有农户240户。\n广州市对口帮扶资金300万元用于马港村修路。"),
    "t2": "麻城市龟山镇桃园村位于大别山南麓。桃园村共有村民1500人，其中脱贫人口320人。\n该村投入资金80万元建设冷库。",
    "t3": ("崇阳县白霓镇油市村是产业示范村。\n据统计，全镇共有农户3600户，油市村有农户410户，"
           "去年油市村人均收入1.2万元。"),
}
GOLD = [
    {"id": "t1", "text": TEXTS["t1"], "officials": [],
     "counts": [{"place": "通城县", "value": 1200, "unit": "户"}, {"place": "石南村", "value": 86, "unit": "户"},
                {"place": "马港村", "value": 240, "unit": "户"}],
     "amounts": [{"place": "石南村", "value_yuan": 120000}, {"place": "马港村", "value_yuan": 3000000}]},
    {"id": "t2", "text": TEXTS["t2"], "officials": [],
     "counts": [{"place": "桃园村", "value": 1500, "unit": "人"}, {"place": "桃园村", "value": 320, "unit": "人"}],
     "amounts": [{"place": "桃园村", "value_yuan": 800000}]},
    {"id": "t3", "text": TEXTS["t3"], "officials": [],
     "counts": [{"place": "白霓", "value": 3600, "unit": "户"}, {"place": "油市村", "value": 410, "unit": "户"}],
     "amounts": [{"place": "油市村", "value_yuan": 12000}]},
]


@pytest.fixture(scope="module")
def rules_nlp() -> Language:
    return api.load(overrides={"nlp.pipeline": RULE_STAGES, "components.relations.attach_model": None})


@pytest.fixture(scope="module")
def arts(rules_nlp: Language) -> list[ArticleFacts]:
    return collect(rules_nlp, GOLD)


def _fact(arts, art_id, value):
    art = next(a for a in arts if a.id == art_id)
    return next(f for f in art.facts if f.value == value)


def _feats(fact, place):
    i = next(i for i, c in enumerate(fact.candidates) if c.place == place)
    return fact.features[i]


def test_candidates_hold_none_named_places_and_the_rules_choice(arts) -> None:
    f = _fact(arts, "t1", 240)
    places = [c.place for c in f.candidates]
    assert places[0] is None and "none" in f.candidates[0].sources
    assert {"通城县", "石南村", "马港村", "广州市"} <= set(places)
    assert len(places) == len(set(places))
    rule = [c for c in f.candidates if "rule" in c.sources]
    assert len(rule) == 1 and rule[0].place == f.rule.place == "马港村"


def test_places_in_a_clause_predicate_or_across_a_border_are_marked(rules_nlp) -> None:
    text = ("青松村位于红岭县北部，东与湖南白沙县接壤，全村共有农户560户。"
            "石门组隶属于红岭县青松村，有农户45户。")
    art = collect(rules_nlp, [{"id": "x", "text": text}])[0]
    border = _feats(_fact([art], "x", 560), "白沙县")
    assert border.get("partner") == 1.0          # 与 … 接壤, with another place between
    own = _feats(_fact([art], "x", 560), "青松村")
    assert "predicate" not in own and "partner" not in own
    member = _feats(_fact([art], "x", 45), "青松村")
    assert member.get("predicate") == 1.0        # after 隶属于 in its clause: what the group belongs to


def test_candidates_merge_forms_with_and_without_suffix(rules_nlp) -> None:
    text = "崇阳县是产业大县。崇阳今年投入资金900万元。"
    art = collect(rules_nlp, [{"id": "x", "text": text}])[0]
    keys = [c.key for f in art.facts for c in f.candidates]
    assert keys.count("崇阳") <= len(art.facts)


def test_features_describe_position_and_cues(arts) -> None:
    f = _fact(arts, "t1", 240)
    near = _feats(f, "马港村")
    assert near["same_sentence_before"] == 1.0 and near["closest_in_sentence"] == 1.0
    assert near["src.rule"] == 1.0 and near["level.村"] == 1.0
    far = _feats(f, "通城县")
    assert "same_sentence_before" not in far and far["dist_before"] > near["dist_before"]
    money = _fact(arts, "t1", 3000000)
    assert _feats(money, "广州市").get("giver") == 1.0
    t2 = _fact(arts, "t2", 800000)
    # 该村 names the village level: the village matches, the city does not
    assert _feats(t2, "桃园村").get("anaphor_level_match") == 1.0
    assert "anaphor_level_match" not in _feats(t2, "麻城市")
    # the figure's size weighs in through the candidate's level (a softmax ignores what all share)
    sizes = [v for k, v in _feats(t2, "麻城市").items() if k.startswith("lv.level.")]
    assert sizes == [pytest.approx(math.log10(800001))]
    assert _feats(t2, "桃园村")["lv.level.村"] == pytest.approx(math.log10(800001))
    assert "lv" not in _feats(t2, "桃园村") and "money.level.村" in _feats(t2, "桃园村")


def test_features_use_gazetteer_containment(arts) -> None:
    f = _fact(arts, "t2", 1500)
    # 麻城市 contains the rules' choice 桃园村's township 龟山镇 and 龟山镇 is above the village
    assert _feats(f, "龟山镇").get("contains_rule") == 1.0 or _feats(f, "麻城市").get("contains_rule") == 1.0


def test_labels_match_gold_with_or_without_suffix(arts) -> None:
    ex = examples(arts, GOLD)
    assert ex and all(len(feats) == len(labels) for feats, labels in ex)
    f = _fact(arts, "t3", 3600)
    labelled = dict(zip((id(x) for x in f.features), next(l for feats, l in ex if feats is f.features)))
    gold = [c.place for c, feats in zip(f.candidates, f.features) if labelled[id(feats)]]
    assert gold == ["白霓镇"]  # gold writes 白霓


@pytest.mark.parametrize("method", ["softmax", "pointwise"])
def test_train_save_load_predict_round_trip(arts, tmp_path: Path, method: str) -> None:
    ranker = train(arts, GOLD, method=method, c=1.0)
    path = ranker.save(tmp_path / "ranker.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "zh-news-ie/attach-ranker" and data["weights"]
    loaded = load_ranker(path)
    for a in arts:
        for f in a.facts:
            assert loaded.choose(f.features)[0] == ranker.choose(f.features)[0]
    # trained on these facts, it places them at least as well as the rules
    ranked = score(GOLD, {a.id: records_with(a, loaded) for a in arts})
    rules = score(GOLD, {a.id: records_with(a, None) for a in arts})
    assert ranked["place_accuracy"] >= rules["place_accuracy"]


def test_probabilities_sum_to_one_and_unknown_features_weigh_nothing() -> None:
    r = Ranker({"a": 2.0, "b": -1.0})
    p = r.probabilities([{"a": 1.0}, {"b": 1.0}, {"zzz": 5.0}])
    assert sum(p) == pytest.approx(1.0) and p[0] > p[2] > p[1]
    best, prob, runner = r.choose([{"a": 1.0}, {"b": 1.0}, {"zzz": 5.0}])
    assert (best, runner) == (0, 2) and prob == pytest.approx(p[0])


def test_ties_go_to_the_first_candidate_and_broken_scores_never_win() -> None:
    from pipeline.attach.ranker import choose_by_score

    assert choose_by_score([1.0, 3.0, 3.0, 2.0])[::2] == (1, 2)      # best and runner-up: first of equals
    assert choose_by_score([3.0, 1.0, 3.0])[::2] == (0, 2)
    assert choose_by_score([2.0, 5.0, 2.0])[::2] == (1, 0)
    best, prob, runner = choose_by_score([0.5])
    assert (best, prob, runner) == (0, 1.0, None)
    assert choose_by_score([float("nan"), -3.0, float("inf")])[::2] == (1, 0)
    assert choose_by_score([0.0, 0.0])[1] == pytest.approx(0.5)
    assert choose_by_score([float("-inf"), 2.0, 2.0])[::2] == (1, 2)
    assert choose_by_score([-1e9, float("nan")])[::2] == (0, 1)  # a broken score ties with -1e9, after it


def test_training_needs_a_gold_candidate() -> None:
    with pytest.raises(ValueError, match="gold place"):
        train_ranker([([{"x": 1.0}, {"y": 1.0}], [False, False])])


def test_a_wrong_model_file_says_so(tmp_path: Path) -> None:
    bad = tmp_path / "m.json"
    bad.write_text('{"weights": {}}', encoding="utf-8")
    with pytest.raises(ValueError, match="attach ranker"):
        load_ranker(bad)
    with pytest.raises(ValueError, match="readable"):
        load_ranker(tmp_path / "missing.json")


def test_stage_uses_the_configured_model(tmp_path: Path) -> None:
    # a ranker that always prefers "no place": every fact is re-chosen by it
    path = Ranker({"src.none": 20.0}).save(tmp_path / "none.json")
    nlp = api.load(overrides={"nlp.pipeline": RULE_STAGES, "components.relations.attach_model": str(path)})
    art = api.extract(TEXTS["t2"], id="t2", nlp=nlp)
    assert art.ok and art.counts and art.amounts
    assert all(c.place is None and c.evidence.rule == "count.attach.ranker" for c in art.counts)
    assert all(0 < c.evidence.confidence <= 1 for c in art.counts)
    assert all(a.place is None and a.evidence.rule == "money.attach.ranker" for a in art.amounts)


def test_stage_without_model_keeps_the_rules(rules_nlp) -> None:
    art = api.extract(TEXTS["t2"], id="t2", nlp=rules_nlp)
    assert all(c.evidence.rule.startswith("count.scope.") for c in art.counts)


def test_shipped_model_loads() -> None:
    path = repo_path("models/attach/ranker.json")
    if not path.is_file():
        pytest.skip("no shipped attach model")
    r = load_ranker(path)
    assert r.weights and r.meta.get("method")


def test_a_huge_figure_keeps_a_valid_confidence(tmp_path: Path) -> None:
    path = Ranker({"src.none": 20.0, "lv": 1.0}).save(tmp_path / "none.json")
    nlp = api.load(overrides={"nlp.pipeline": RULE_STAGES, "components.relations.attach_model": str(path)})
    art = api.extract("云溪县：产业见实效\n" + "１２３４５６７８９０" * 40 + "万元", id="big", nlp=nlp)
    for e in art.errors:  # an infinite value is rejected for itself, not for its evidence
        assert "confidence" not in e.reason



def test_article_level_part_is_shared_and_the_split_scores_as_the_whole(rules_nlp, arts) -> None:
    """The attacher scores a candidate's own features once per article (the same dict for
    every fact) and adds the fact's part; that must equal scoring the merged features."""
    from types import SimpleNamespace

    from pipeline.attach.candidates import ArticleCandidates
    from pipeline.attach.features import FeatureContext, featurise_parts
    from pipeline.attach.ranker import choose_by_score
    from pipeline.places.gazetteer import load_gazetteer

    ranker = Ranker({"same_clause_before": 2.0, "src.title": 0.5, "level.县": 0.3, "dist_before": -1.0,
                     "lv.level.村": 0.2, "giver": -3.0, "src.none": -0.5, "inside_rule": 0.7})
    for gold in GOLD:
        doc = rules_nlp(gold["text"])
        article = ArticleCandidates(doc._.scope)
        ctx = FeatureContext(doc.text, doc._.scope, doc._.place_links or {}, load_gazetteer(), article)
        recorded = next(a for a in arts if a.id == gold["id"]).facts
        own_by_key: dict = {}
        scorer = ranker.pair_scorer()  # one per article, as the attacher makes it
        for f in recorded:
            q = SimpleNamespace(start=f.start, end=f.end, value=f.value, kind=f.kind, unit=f.unit)
            cands = article.for_fact(q, f.rule)
            assert [c.key for c in cands] == [c.key for c in f.candidates]
            own, fact = featurise_parts(ctx, q, f.rule, cands)
            assert [{**a, **b} for a, b in zip(own, fact)] == f.features
            for c, part in zip(cands, own):
                if article.by_key.get(c.key) is c:
                    assert own_by_key.setdefault(c.key, part) is part  # built once per article
            by_pairs = [ranker.score(a) + ranker.score(b) for a, b in zip(own, fact)]
            assert scorer(own, fact) == by_pairs  # the same floats, own parts from its cache
            split = choose_by_score(by_pairs)
            assert split[0] == ranker.choose(f.features)[0]
