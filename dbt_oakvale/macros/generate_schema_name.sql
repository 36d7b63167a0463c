{#- Custom schemas are used verbatim (oakvale_silver, oakvale_gold), not prefixed with the
    target schema, so Glue database names on Athena are exact. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
