"""Settings for every Oakvale step, as one typed object.

Values come from (highest first) explicit arguments, environment variables (`OAKVALE_*`) and
defaults. The data root may be a local folder or an `s3://` URI; every other location derives from it.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DATASETS = ("movies", "reviews")


class OakvaleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OAKVALE_", extra="ignore")

    data_root: str = Field(default=".oakvale", description="local folder or s3:// URI holding raw/ and lakehouse/")
    environment: str = Field(default="local", description="local | dev | prod")
    aws_region: str = "us-east-1"
    bronze_database: str = "oakvale_bronze"
    silver_database: str = "oakvale_silver"
    gold_database: str = "oakvale_gold"
    reject_threshold: float = Field(default=0.05, ge=0.0, le=1.0, description="max share of rejected lines per run")

    @field_validator("data_root")
    @classmethod
    def _normalise_root(cls, value: str) -> str:
        if value.startswith("s3://"):
            return value.rstrip("/")
        return str(Path(value).expanduser().resolve())

    @property
    def raw_root(self) -> str:
        return f"{self.data_root}/raw"

    @property
    def bronze_root(self) -> str:
        return f"{self.data_root}/lakehouse/bronze"

    def raw_path(self, dataset: str) -> str:
        return f"{self.raw_root}/{dataset}"

    def bronze_table_path(self, table: str) -> str:
        return f"{self.bronze_root}/{table}"

    @property
    def warehouse_path(self) -> str:
        """The local DuckDB file holding silver and gold."""
        return f"{self.data_root}/warehouse/oakvale.duckdb"

    @property
    def dashboard_path(self) -> str:
        return f"{self.data_root}/dashboards/index.html"

    @property
    def docs_path(self) -> str:
        return f"{self.data_root}/docs"

    @property
    def is_s3(self) -> bool:
        return self.data_root.startswith("s3://")
