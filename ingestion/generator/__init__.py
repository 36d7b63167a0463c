"""Raw data generator: Faker-based movies and reviews feeds with documented, counted dirt."""

from ingestion.generator.dirt import DIRT_KINDS, DirtRates
from ingestion.generator.generate import DATASETS, GeneratorError, generate_dataset
from ingestion.generator.layout import run_id_for
from ingestion.generator.lambda_handler import lambda_handler
from ingestion.generator.manifest import FileEntry, Manifest, RunOptions, read_manifest

__all__ = [
    "DATASETS",
    "DIRT_KINDS",
    "DirtRates",
    "FileEntry",
    "GeneratorError",
    "Manifest",
    "RunOptions",
    "generate_dataset",
    "lambda_handler",
    "read_manifest",
    "run_id_for",
]
