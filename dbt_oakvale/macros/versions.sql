{#- True when version `new` ranks before version `old`, or ties with it, in the order
    `<column> desc nulls last` over `columns`, compared left to right. The silver models rank
    re-sent versions in this order (row_number); an incremental run lets a new version replace the
    stored one only when this holds, so it keeps what a full refresh over the same bronze keeps.
    Null-safe: a null ranks after any value, two nulls tie (a plain `old > new` is null there and
    silently dropped the new version). -#}
{% macro ranks_before(new, old, columns) -%}
    {%- set column = columns[0] -%}
    (
        ({{ new }}.{{ column }} is not null and ({{ old }}.{{ column }} is null or {{ new }}.{{ column }} > {{ old }}.{{ column }}))
        or ({{ new }}.{{ column }} is not distinct from {{ old }}.{{ column }} and
        {%- if columns | length > 1 %} {{ oakvale.ranks_before(new, old, columns[1:]) }}{% else %} true{% endif %})
    )
{%- endmacro %}
