{#- Each combination of the columns occurs at most once (dbt_utils.unique_combination_of_columns). -#}
{% test unique_combination_of_columns(model, combination_of_columns, quote_columns=false) %}

{%- set columns = combination_of_columns if not quote_columns
    else combination_of_columns | map('tojson') | list -%}

select
    {{ columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
