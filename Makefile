# zh-news-ie developer tasks.  Needs only make and Python 3.11 (or a python3 >= 3.11).
#
#   make venv       create .venv and install the package with its test extras
#   make run        run the pipeline over corpus/ into out/records.jsonl
#   make test       fast tests (not marked slow)
#   make test-all   every test, slow ones included
#   make bench      throughput, scaling and memory on a generated 3M-character corpus (BENCHMARKS.md)
#   make dev-score  score the pipeline on ../shared/eval/dev (skipped without ../shared)
#   make train-ner  retrain the shipped NER models from ../shared/data/ner (one CPU core: ~1.5 h)
#   make train-attach  retrain the attach ranker (models/attach/ranker.json) on the dev gold + corpus gold
#   make heldout    k-fold held-out figures of the attach ranker on ../shared/eval/dev
#   make clean      remove outputs and caches (keeps .venv; rm -rf .venv to rebuild it)

SHELL := /bin/bash
.DEFAULT_GOAL := test

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED ?= ../shared
# Extras to install: add hanlp for the optional HanLP backend (CI does).
EXTRAS ?= test
DEV_GOLD := $(SHARED)/eval/dev

.PHONY: venv run test test-all bench dev-score train-ner train-attach heldout clean FORCE

FORCE:

venv: $(STAMP)

# Reinstall only when pyproject.toml changes.
$(STAMP): pyproject.toml $(if $(filter-out $(shell cat $(VENV)/.extras 2>/dev/null),$(EXTRAS)),FORCE)
	@test -n "$(PYTHON)" || { echo "error: no python3.11 or python3 on PATH" >&2; exit 2; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e '.[$(EXTRAS)]'
	echo '$(EXTRAS)' > $(VENV)/.extras
	touch $@

# Exit status 1 means some article came out with errors; the corpus should
# have none, so it is not masked.
run: venv
	$(BIN)/pipeline run corpus --output out/records.jsonl

test: venv
	$(BIN)/pytest -q -m "not slow"

test-all: venv
	$(BIN)/pytest -q

# Throughput (1 process and 2 workers, jieba.posseg, a regex scan) on a generated
# 3M-character corpus, and memory at 1M vs 10M characters; writes BENCHMARKS.md.
# About 8 minutes on 2 cores.  Smoke run: BENCH_ARGS="--quick --markdown out/bench-quick.md".
BENCH_ARGS ?=
bench: venv
	$(BIN)/python bench/bench.py --markdown BENCHMARKS.md $(BENCH_ARGS)

# The dev texts are written to out/ (ignored by git), never into the repo.
dev-score: venv
	@if [ ! -d "$(DEV_GOLD)" ]; then echo "dev-score: $(DEV_GOLD) not found, skipped"; exit 0; fi; \
	set -e; \
	$(BIN)/python bench/dev_inputs.py "$(DEV_GOLD)" --out out/dev_inputs.jsonl; \
	$(BIN)/pipeline run out/dev_inputs.jsonl --output out/dev.jsonl || test $$? -eq 1; \
	$(BIN)/python "$(SHARED)/eval/score.py" "$(DEV_GOLD)" out/dev.jsonl

clean:
	rm -rf out bench/out build dist .pytest_cache .hypothesis *.egg-info
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -print0 | xargs -0 rm -rf

# Retrain the shipped NER models from the public data in ../shared/data/ner.
# Converted data goes to build/ner (ignored by git, never shipped).
NER_DATA ?= $(SHARED)/data/ner
NER_BUILD := build/ner
NEWS_STEPS ?= 7000
CLUENER_STEPS ?= 4000
MODELS_OUT ?= models
# extra --set options for both trainings (e.g. a quick smoke run)
NER_SET ?=

train-ner: venv
	@test -d "$(NER_DATA)" || { echo "train-ner: $(NER_DATA) not found" >&2; exit 2; }
	rm -rf $(NER_BUILD)
	$(BIN)/pipeline data convert $(NER_DATA)/msra/msra_train_bio $(NER_BUILD)/news/train/msra.spacy --format bio --source msra --dev-output $(NER_BUILD)/news/dev/msra.spacy --dev-share 0.05
	$(BIN)/pipeline data convert $(NER_DATA)/cluener2020/train.json $(NER_BUILD)/cluener/train/cluener.spacy --format cluener --only PERSON,TITLE
	$(BIN)/pipeline data convert $(NER_DATA)/resume/train.char.bmes $(NER_BUILD)/cluener/train/resume.spacy --format bmes --only PERSON,TITLE
	$(BIN)/pipeline data convert $(NER_DATA)/cluener2020/dev.json $(NER_BUILD)/cluener/dev/cluener.spacy --format cluener --only PERSON,TITLE
	OMP_NUM_THREADS=1 $(BIN)/pipeline train ner --config configs/ner.cfg --train $(NER_BUILD)/news/train --dev $(NER_BUILD)/news/dev --output $(MODELS_OUT)/ner-news --set training.max_steps=$(NEWS_STEPS) --set corpora.dev.limit=1000 $(NER_SET)
	OMP_NUM_THREADS=1 $(BIN)/pipeline train ner --config configs/ner.cfg --train $(NER_BUILD)/cluener/train --dev $(NER_BUILD)/cluener/dev --output $(MODELS_OUT)/ner-cluener --set training.max_steps=$(CLUENER_STEPS) --set training.eval_frequency=500 --set components.tok2vec.model.encode.width=96 --set 'components.tok2vec.model.embed.rows=[6000,12000,12000,50]' $(NER_SET)

# The attach ranker (issue 12): trained on ../shared/eval/dev and the project's
# gold (corpus/gold, corpus/workreports/gold); only weights are written.
ATTACH_MODEL ?= models/attach/ranker.json
train-attach: venv
	@test -d "$(DEV_GOLD)" || { echo "train-attach: $(DEV_GOLD) not found" >&2; exit 2; }
	$(BIN)/python bench/heldout.py "$(DEV_GOLD)" --train-out $(ATTACH_MODEL)

# rules alone vs the ranker on held-out folds vs in-sample (5 folds, fixed seed)
heldout: venv
	@test -d "$(DEV_GOLD)" || { echo "heldout: $(DEV_GOLD) not found" >&2; exit 2; }
	$(BIN)/python bench/heldout.py "$(DEV_GOLD)" --json out/heldout.json
