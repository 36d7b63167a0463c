# Opt-in Lake Formation grants (var.lake_formation). In an account where Lake Formation governs new
# databases (the IAMAllowedPrincipals default removed), IAM permissions alone are denied on the Glue
# databases and tables: each role then needs Lake Formation permissions too. Off by default: in an
# account that leaves new databases to IAM these grants change nothing, and making them needs a data
# lake administrator. S3 locations are not registered with Lake Formation here: data access stays
# with the roles' IAM policies (iam.tf), so no DATA_LOCATION_ACCESS grant is needed.

locals {
  lake_formation_principals = {
    glue_bronze = aws_iam_role.glue_bronze.arn
    dbt         = aws_iam_role.dbt.arn
  }
  lake_formation_databases = {
    bronze = aws_glue_catalog_database.bronze.name
    silver = aws_glue_catalog_database.silver.name
    gold   = aws_glue_catalog_database.gold.name
  }

  # The bronze job reads, creates and updates its tables (ingestion/catalog/glue.py); dbt reads bronze and
  # builds, merges into, renames (a Glue copy and delete) and drops the silver and gold tables.
  lake_formation_grants = {
    glue_bronze_bronze = {
      role                 = "glue_bronze"
      database             = "bronze"
      database_permissions = ["CREATE_TABLE", "DESCRIBE"]
      table_permissions    = ["ALTER", "DELETE", "DESCRIBE", "INSERT", "SELECT"]
    }
    dbt_bronze = {
      role                 = "dbt"
      database             = "bronze"
      database_permissions = ["DESCRIBE"]
      table_permissions    = ["DESCRIBE", "SELECT"]
    }
    dbt_silver = {
      role                 = "dbt"
      database             = "silver"
      database_permissions = ["CREATE_TABLE", "DESCRIBE"]
      table_permissions    = ["ALTER", "DELETE", "DESCRIBE", "DROP", "INSERT", "SELECT"]
    }
    dbt_gold = {
      role                 = "dbt"
      database             = "gold"
      database_permissions = ["CREATE_TABLE", "DESCRIBE"]
      table_permissions    = ["ALTER", "DELETE", "DESCRIBE", "DROP", "INSERT", "SELECT"]
    }
  }
}

resource "aws_lakeformation_permissions" "database" {
  for_each = var.lake_formation ? local.lake_formation_grants : {}

  principal   = local.lake_formation_principals[each.value.role]
  permissions = each.value.database_permissions

  database {
    name = local.lake_formation_databases[each.value.database]
  }
}

resource "aws_lakeformation_permissions" "tables" {
  for_each = var.lake_formation ? local.lake_formation_grants : {}

  principal   = local.lake_formation_principals[each.value.role]
  permissions = each.value.table_permissions

  table {
    database_name = local.lake_formation_databases[each.value.database]
    wildcard      = true
  }
}
