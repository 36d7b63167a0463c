"""AWS Glue 5.0 entry point for the bronze job. All logic lives in the tested `ingestion` package.

Glue job parameters: --dataset movies|reviews --data_root s3://<lakehouse bucket>
[--raw_root s3://<raw bucket>/raw] [--reject_threshold 0.05]; run with --datalake-formats delta.
"""

import sys

from ingestion.bronze.glue_entry import main

if __name__ == "__main__":
    sys.exit(main(sys.argv))
