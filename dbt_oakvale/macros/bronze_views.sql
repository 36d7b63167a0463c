{#- On DuckDB, bronze is read with delta_scan (the sources' external_location). dbt's unit tests
    still look up a source's column types in the warehouse catalog, so the local target keeps one
    view per bronze table in the bronze schema (oakvale_bronze.movies = delta_scan of the table).
    Querying those views outside dbt needs the delta extension loaded. On Athena the sources are
    the Glue tables themselves: nothing to do. -#}
{% macro create_bronze_views() -%}
    {{ return(adapter.dispatch('create_bronze_views', 'oakvale')()) }}
{%- endmacro %}

{% macro default__create_bronze_views() -%}
    select 1
{%- endmacro %}

{% macro duckdb__create_bronze_views() -%}
    {%- set statements = [] -%}
    {%- set bronze_sources = graph.sources.values() if execute else [] -%}
    {%- for node in bronze_sources if node.source_name == 'bronze' -%}
        {%- set location = node.meta.get('external_location') or node.config.get('meta', {}).get('external_location') -%}
        {%- if location -%}
            {%- do statements.append(
                'create schema if not exists ' ~ adapter.quote(node.schema) ~ ';\n'
                ~ 'create or replace view ' ~ adapter.quote(node.schema) ~ '.' ~ adapter.quote(node.identifier)
                ~ ' as select * from ' ~ location.replace('{identifier}', node.identifier) ~ ';'
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ statements | join('\n') if statements else 'select 1' }}
{%- endmacro %}
