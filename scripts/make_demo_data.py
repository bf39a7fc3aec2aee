"""Regenerate the embedded SYNTHETIC demo data under data/demo/ (fixed seed, deterministic).

Usage: python scripts/make_demo_data.py
"""

from toolkit.sources.demo import cube as demo
from toolkit.sources.demo import doc as doc_demo

if __name__ == "__main__":
    path = demo.write()
    print(f"wrote synthetic demo data to {path}")
    print(f"wrote synthetic DOC timelines to {doc_demo.write()}")
