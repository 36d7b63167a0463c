{#- Cleaning helpers used by the silver models. Every dialect difference between DuckDB (local)
    and Athena engine v3 (Trino) sits in one dispatched macro here. -#}

{#- '' and whitespace-only become null. -#}
{% macro blank_to_null(expr) -%}
    nullif(trim({{ expr }}), '')
{%- endmacro %}

{#- Replace every match of a regular expression. -#}
{% macro regexp_replace_all(expr, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'oakvale')(expr, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro athena__regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}

{#- A key for matching category spellings: lower case, letters and digits only
    ('PG 13', 'pg-13', 'PG13' -> 'pg13'; 'SCI FI', 'sci-fi' -> 'scifi'). -#}
{% macro category_key(expr) -%}
    {{ oakvale.regexp_replace_all('lower(trim(' ~ expr ~ '))', '[^a-z0-9]', '') }}
{%- endmacro %}

{#- A number from text such as '120', '120 min', '$12,000,000', '-90', '8.5': everything but
    digits, '.' and '-' is dropped, then a safe cast (null when nothing numeric is left). -#}
{% macro parse_number(expr, type='double') -%}
    {#- try_cast exists in DuckDB and Trino alike; dbt.safe_cast is a plain cast on dbt-duckdb -#}
    try_cast({{ oakvale.regexp_replace_all(oakvale.blank_to_null(expr), '[^0-9.\\-]', '') }} as {{ api.Column.translate_type(type) }})
{%- endmacro %}

{#- Whole US dollars from money text; cents are rounded away. -#}
{% macro parse_money(expr) -%}
    cast(round({{ oakvale.parse_number(expr, 'double') }}) as bigint)
{%- endmacro %}

{#- A date from ISO 'YYYY-MM-DD', 'MM/DD/YYYY' or 'DD Mon YYYY' text; null when none fits. -#}
{% macro safe_to_date(expr) -%}
    {{ return(adapter.dispatch('safe_to_date', 'oakvale')(expr)) }}
{%- endmacro %}

{% macro default__safe_to_date(expr) -%}
    cast(try_strptime(trim({{ expr }}), ['%Y-%m-%d', '%m/%d/%Y', '%d %b %Y']) as date)
{%- endmacro %}

{% macro athena__safe_to_date(expr) -%}
    cast(coalesce(
        try(date_parse(trim({{ expr }}), '%Y-%m-%d')),
        try(date_parse(trim({{ expr }}), '%m/%d/%Y')),
        try(date_parse(trim({{ expr }}), '%d %b %Y'))
    ) as date)
{%- endmacro %}

{#- A UTC timestamp (no time zone, microseconds) from ISO-8601 ('...T...Z'),
    'YYYY-MM-DD HH:MM:SS' or epoch-seconds text; null when none fits. -#}
{% macro safe_to_timestamp(expr) -%}
    {{ return(adapter.dispatch('safe_to_timestamp', 'oakvale')(expr)) }}
{%- endmacro %}

{% macro default__safe_to_timestamp(expr) -%}
    case
        when regexp_full_match(trim({{ expr }}), '[0-9]{9,11}')
            then make_timestamp(cast(trim({{ expr }}) as bigint) * 1000000)
        else try_strptime(
            trim({{ expr }}),
            ['%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%dT%H:%M:%S.%fZ', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M:%S']
        )
    end
{%- endmacro %}

{% macro athena__safe_to_timestamp(expr) -%}
    case
        when regexp_like(trim({{ expr }}), '^[0-9]{9,11}$')
            then cast(from_unixtime(cast(trim({{ expr }}) as bigint)) at time zone 'UTC' as timestamp(6))
        else coalesce(
            try(cast(from_iso8601_timestamp(trim({{ expr }})) at time zone 'UTC' as timestamp(6))),
            try(cast(date_parse(trim({{ expr }}), '%Y-%m-%d %H:%i:%s') as timestamp(6)))
        )
    end
{%- endmacro %}

{#- An array of strings from JSON array text; null for null, '' or invalid JSON. -#}
{% macro json_string_array(expr) -%}
    {{ return(adapter.dispatch('json_string_array', 'oakvale')(expr)) }}
{%- endmacro %}

{% macro default__json_string_array(expr) -%}
    case
        when json_valid({{ oakvale.blank_to_null(expr) }})
            then try_cast(json({{ expr }}) as varchar [])
    end
{%- endmacro %}

{% macro athena__json_string_array(expr) -%}
    try(cast(json_parse({{ oakvale.blank_to_null(expr) }}) as array(varchar)))
{%- endmacro %}

{#- Number of elements of an array (0 for null). -#}
{% macro array_length(expr) -%}
    {{ return(adapter.dispatch('array_length', 'oakvale')(expr)) }}
{%- endmacro %}

{% macro default__array_length(expr) -%}
    coalesce(len({{ expr }}), 0)
{%- endmacro %}

{% macro athena__array_length(expr) -%}
    coalesce(cardinality({{ expr }}), 0)
{%- endmacro %}
