"""The embedder's number format: bfloat16 only where the CPU has it natively, and vectors that stay
what float32 gives."""
import numpy as np
import pytest

from rag.embed import resolve_dtype

ZEN4 = "processor : 0\nflags : fpu sse avx2 avx512f avx512_vnni avx512_bf16\n"
OLD = "processor : 0\nflags : fpu sse avx2 fma\n"
SAPPHIRE = "flags : fpu avx512f amx_tile amx_bf16 amx_int8\n"


def test_auto_picks_bfloat16_only_on_a_cpu_that_has_it():
    assert resolve_dtype("auto", "cpu", ZEN4) == "bfloat16"
    assert resolve_dtype("auto", "cpu", SAPPHIRE) == "bfloat16"
    assert resolve_dtype("auto", "cpu", OLD) == "float32"  # emulated bfloat16 is slower than float32
    assert resolve_dtype("auto", "cuda", ZEN4) == "float32"
    assert resolve_dtype("float32", "cpu", ZEN4) == "float32"
    assert resolve_dtype("bfloat16", "cpu", OLD) == "bfloat16"  # asked for explicitly: as asked


@pytest.mark.slow
def test_bfloat16_vectors_stay_close_to_float32(real_settings):
    from rag import factory
    texts = ["Nordkorea hat nach Angaben Seouls 11.000 Soldaten nach Russland geschickt.",
             "Der Sprecher des chinesischen Außenministeriums, Lin Jian, äußerte sich nicht zu den Berichten."]
    a = factory.build_embedder(real_settings.model_copy(update={"embed_dtype": "float32"}))
    b = factory.build_embedder(real_settings.model_copy(update={"embed_dtype": "bfloat16"}))
    assert b.dtype == "bfloat16" and str(next(b._model.parameters()).dtype) == "torch.bfloat16"
    for fa, fb in ((a.embed_documents, b.embed_documents), (a.embed_queries, b.embed_queries)):
        va, vb = fa(texts), fb(texts)
        assert vb.dtype == np.float32 and np.allclose(np.linalg.norm(vb, axis=1), 1.0, atol=1e-5)
        assert ((va * vb).sum(1) > 0.99).all()
    # late chunking runs its head in the model's own format
    pa, sa = a.embed_documents_with_spans([" ".join(texts)], [[(0, len(texts[0]))]])
    pb, sb = b.embed_documents_with_spans([" ".join(texts)], [[(0, len(texts[0]))]])
    assert float(pa[0] @ pb[0]) > 0.99 and float(sa[0][0] @ sb[0][0]) > 0.99
