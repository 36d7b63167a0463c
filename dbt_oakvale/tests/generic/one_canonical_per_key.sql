{#- A category mapping seed: every spelling's category key (lower case, letters and digits)
    maps to exactly one canonical value, so joining on the key never fans out rows. -#}
{% test one_canonical_per_key(model, column_name, canonical_column='canonical') %}

select
    {{ oakvale.category_key(column_name) }} as variant_key,
    count(distinct {{ canonical_column }}) as canonical_values
from {{ model }}
group by {{ oakvale.category_key(column_name) }}
having count(distinct {{ canonical_column }}) > 1

{% endtest %}
