# ConvViz: one Streamlit replica. Build from the repository root:
#   docker build -t convviz .      docker run -p 8501:8501 convviz
# For a class, run several behind nginx: deploy/compose.yaml (README, "Hosting for a class").
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements.txt pyproject.toml README.md ./
COPY convviz ./convviz
RUN pip install -r requirements.txt
COPY . .
RUN useradd --create-home convviz
USER convviz

EXPOSE 8501
HEALTHCHECK --interval=15s --timeout=5s --start-period=40s --retries=3 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"
CMD ["python", "-m", "streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501", \
     "--server.headless=true", "--browser.gatherUsageStats=false"]
