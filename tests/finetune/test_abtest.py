"""The A/B scores answers with the dev sets' own key-term metric, on terms taken from the reference answer."""

from __future__ import annotations

from evaluation.answers import key_term_recall
from finetune.abtest import key_terms


def test_key_terms_are_the_reference_answers_longest_content_words():
    terms = key_terms("LoRA trains small low-rank matrices beside the frozen weights.")
    assert terms[:4] == ["matrices", "weights", "beside", "frozen"] and "the" not in terms
    assert key_term_recall("It keeps the weights frozen and trains low-rank matrices.", terms[:4]) == 0.75


def test_the_ab_runs_on_the_serving_backend(hashing_settings, monkeypatch, tmp_path):
    """Both variants answer on the backend that serves (llama.cpp on CPU); a remote model, which cannot load
    an adapter, falls back to transformers."""
    import finetune.pipeline as pipeline
    from finetune.pipeline import FinetuneRequest

    seen = []
    monkeypatch.setattr(pipeline, "ab_compare", lambda s, r, cfg, *a: seen.append(cfg.backend) or {})
    for backend in ("auto", "llamacpp", "openai"):
        settings = hashing_settings.model_copy(update={"llm_backend": backend, "device": "cpu"})
        pipeline._ab_report(settings, None, FinetuneRequest(name="x"), tmp_path, [])
    assert seen == ["llamacpp", "llamacpp", "transformers"]
    assert (tmp_path / "ab_report.md").read_text().startswith("# A/B: base vs adapter `x`")
