"""A local stand-in for the AWS stack of infra/: moto on loopback with the same names.

Names follow infra/README.md ("Names other code relies on") for ``name_prefix=oakvale``,
``environment=dev`` and moto's fixed account id. Bronze tables are registered with the bronze job's
own catalog code (``ingestion.catalog.glue.GlueCatalog``), so Glue holds what the job would write.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

MOTO_ACCOUNT_ID = "123456789012"  # moto's default account
REGION = "us-east-1"
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing"}
BRONZE_TABLES = ("movies", "reviews", "movies_rejects", "reviews_rejects")


@dataclass(frozen=True)
class StackNames:
    """The names infra/ gives every resource (infra/README.md), for one prefix, environment and account."""

    prefix: str = "oakvale"
    environment: str = "dev"
    account_id: str = MOTO_ACCOUNT_ID
    region: str = REGION
    databases: dict[str, str] = field(
        default_factory=lambda: {"bronze": "oakvale_bronze", "silver": "oakvale_silver", "gold": "oakvale_gold"}
    )

    @property
    def stem(self) -> str:
        return f"{self.prefix}-{self.environment}"

    def bucket(self, role: str) -> str:
        """role: raw, lakehouse, glue-scripts, athena-results."""
        return f"{self.stem}-{role}-{self.account_id}"

    @property
    def buckets(self) -> list[str]:
        return [self.bucket(r) for r in ("raw", "lakehouse", "glue-scripts", "athena-results")]

    @property
    def workgroup(self) -> str:
        return self.stem

    @property
    def data_root(self) -> str:
        return f"s3://{self.bucket('lakehouse')}"

    @property
    def bronze_root(self) -> str:
        return f"{self.data_root}/lakehouse/bronze"

    @property
    def s3_data_dir(self) -> str:
        """dbt-athena's s3_data_dir: Iceberg tables land under lakehouse/<database>/<table>/<uuid>/."""
        return f"{self.data_root}/lakehouse/"

    @property
    def s3_staging_dir(self) -> str:
        return f"s3://{self.bucket('athena-results')}/dbt/"

    @property
    def results_location(self) -> str:
        return f"s3://{self.bucket('athena-results')}/results/"

    def dbt_env(self) -> dict[str, str]:
        """The environment variables dbt_oakvale/profiles.yml reads for its athena target."""
        return {
            "OAKVALE_DBT_TARGET": "athena",
            "OAKVALE_ATHENA_CATALOG": "awsdatacatalog",
            "OAKVALE_ATHENA_WORKGROUP": self.workgroup,
            "OAKVALE_ATHENA_S3_STAGING_DIR": self.s3_staging_dir,
            "OAKVALE_ATHENA_S3_DATA_DIR": self.s3_data_dir,
            "OAKVALE_BRONZE_DATABASE": self.databases["bronze"],
            "OAKVALE_SILVER_DATABASE": self.databases["silver"],
            "OAKVALE_GOLD_DATABASE": self.databases["gold"],
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
        }


class MotoStack:
    """moto's ThreadedMotoServer on 127.0.0.1 (a free port), in this process.

    In-process matters: the Athena mirror (``mirror.py``) patches moto's AthenaBackend in this
    interpreter, and the server's request threads run the patched code.
    """

    def __init__(self, names: StackNames | None = None, reset: bool = True):
        self.names = names or StackNames()
        self.reset = reset
        self._server = None
        self.endpoint = ""

    @staticmethod
    def reset_moto() -> None:
        """Empty moto's backends. They are global to the process: every moto server or mock_aws in
        this pytest run shares them, so a stack starts and leaves them empty."""
        from moto.core.base_backend import BackendDict

        BackendDict.reset()

    def start(self) -> "MotoStack":
        from moto.server import ThreadedMotoServer

        if self.reset:
            self.reset_moto()
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
            if self.reset:
                self.reset_moto()

    def __enter__(self) -> "MotoStack":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ----------------------------------------------------------------- clients and environment
    def aws_env(self) -> dict[str, str]:
        """Environment for boto3 and dbt-athena in a subprocess: everything goes to moto."""
        return {
            **DUMMY_CREDENTIALS,
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_REGION": self.names.region,
            "AWS_DEFAULT_REGION": self.names.region,
            # never read a developer's real profile or config
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def client(self, service: str):
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=self.names.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            aws_session_token="testing",
        )

    # ----------------------------------------------------------------- the infra/ resources
    def create_infra(self) -> None:
        """Buckets, Glue databases and the engine-v3 workgroup under infra/'s names."""
        s3 = self.client("s3")
        for bucket in self.names.buckets:
            s3.create_bucket(Bucket=bucket)
        glue = self.client("glue")
        for database in self.names.databases.values():
            glue.create_database(DatabaseInput={"Name": database, "LocationUri": self._database_location(database)})
        self.client("athena").create_work_group(
            Name=self.names.workgroup,
            Configuration={
                "ResultConfiguration": {"OutputLocation": self.names.results_location},
                "EnforceWorkGroupConfiguration": True,
                "EngineVersion": {"SelectedEngineVersion": "Athena engine version 3"},
            },
            Description="moto stand-in for infra/athena.tf",
        )

    def _database_location(self, database: str) -> str:
        layer = database.rsplit("_", 1)[-1]
        return f"{self.names.data_root}/lakehouse/{layer}/"

    def register_bronze(self, local_bronze_root: str | Path, upload: bool = True) -> dict[str, int]:
        """Register the bronze Delta tables in moto's Glue with the bronze job's catalog code.

        The tables' files are copied to the lakehouse bucket (they are tiny) so the Glue locations
        point at real objects. Returns {table: delta version}.
        """
        from deltalake import DeltaTable

        from ingestion.bronze.schema import PARTITION_COLUMN, dataset_spec
        from ingestion.catalog import CatalogTable
        from ingestion.catalog.glue import GlueCatalog

        catalog = GlueCatalog(client=self.client("glue"))
        s3 = self.client("s3")
        versions: dict[str, int] = {}
        for table in BRONZE_TABLES:
            local = Path(local_bronze_root) / table
            dataset, _, kind = table.partition("_")
            spec = dataset_spec(dataset)
            schema = spec.rejects_schema() if kind == "rejects" else spec.data_schema()
            version = DeltaTable(str(local)).version()
            location = f"{self.names.bronze_root}/{table}"
            if upload:
                for path in sorted(p for p in local.rglob("*") if p.is_file()):
                    key = f"lakehouse/bronze/{table}/{path.relative_to(local).as_posix()}"
                    s3.upload_file(str(path), self.names.bucket("lakehouse"), key)
            catalog.register(
                CatalogTable(self.names.databases["bronze"], table, location, schema, (PARTITION_COLUMN,), version)
            )
            versions[table] = version
        return versions
