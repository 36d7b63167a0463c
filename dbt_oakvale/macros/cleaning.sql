{#- Cleaning helpers used by the silver models. Every dialect difference between DuckDB (local)
    and Athena engine v3 (Trino) sits in one dispatched macro here. -#}

{#- Leading and trailing whitespace dropped, as Athena's trim drops it: the characters Java's
    Character.isWhitespace names (tab, LF, VT, FF, CR, U+001C-U+001F, space, U+1680, U+2000-U+2006,
    U+2008-U+200A, U+2028, U+2029, U+205F, U+3000); not the no-break spaces U+00A0, U+2007, U+202F.
    DuckDB's own trim drops only Unicode space separators (no-break spaces included, tab not), so
    the local branch strips Athena's set with a regular expression (tests/trino/test_corpus.py). -#}
{% macro trim_blanks(expr) -%}
    {{ return(adapter.dispatch('trim_blanks', 'oakvale')(expr)) }}
{%- endmacro %}

{% macro default__trim_blanks(expr) -%}
    {%- set blank = '[\\x{09}-\\x{0D}\\x{1C}-\\x{20}\\x{1680}\\x{2000}-\\x{2006}\\x{2008}-\\x{200A}\\x{2028}\\x{2029}\\x{205F}\\x{3000}]' -%}
    regexp_replace({{ expr }}, '^{{ blank }}+|{{ blank }}+$', '', 'g')
{%- endmacro %}

{% macro athena__trim_blanks(expr) -%}
    trim({{ expr }})
{%- endmacro %}

{#- '' and whitespace-only become null (whitespace as trim_blanks drops it). -#}
{% macro blank_to_null(expr) -%}
    nullif({{ oakvale.trim_blanks(expr) }}, '')
{%- endmacro %}

{#- Replace every match of a regular expression. A group in `replacement` is written \1 (as in
    DuckDB); the athena branch rewrites it to Trino's $1 (and a literal $ to \$). -#}
{% macro regexp_replace_all(expr, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'oakvale')(expr, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro athena__regexp_replace_all(expr, pattern, replacement) -%}
    {%- set replacement = modules.re.sub('\\\\([0-9])', '$\\1', replacement.replace('$', '\\$')) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}

{#- A key for matching category spellings: lower case, letters and digits only
    ('PG 13', 'pg-13', 'PG13' -> 'pg13'; 'SCI FI', 'sci-fi' -> 'scifi'). -#}
{% macro category_key(expr) -%}
    {{ oakvale.regexp_replace_all('lower(' ~ oakvale.trim_blanks(expr) ~ ')', '[^a-z0-9]', '') }}
{%- endmacro %}

{#- A number from text such as '120', '120 min', '$12,000,000', '-90', '8.5': everything but
    digits, '.' and '-' is dropped, then a safe cast (null when nothing numeric is left). An integer
    type takes whole numbers only: '88.0' and '12.5' are null, as Athena's cast from varchar gives
    (DuckDB's would round them: the local branch casts only text that is an optional '-' and
    digits). Note '1e5' keeps its digits, '15', on both. -#}
{% macro parse_number(expr, type='double') -%}
    {{ return(adapter.dispatch('parse_number', 'oakvale')(expr, type)) }}
{%- endmacro %}

{#- The text parse_number casts. -#}
{% macro _number_text(expr) -%}
    {{ oakvale.regexp_replace_all(oakvale.blank_to_null(expr), '[^0-9.\\-]', '') }}
{%- endmacro %}

{% macro default__parse_number(expr, type) -%}
    {%- set sql_type = api.Column.translate_type(type) -%}
    {%- if type | lower in ('tinyint', 'smallint', 'integer', 'int', 'bigint') -%}
    try_cast(nullif(regexp_extract({{ oakvale._number_text(expr) }}, '^-?[0-9]+$'), '') as {{ sql_type }})
    {%- else -%}
    try_cast({{ oakvale._number_text(expr) }} as {{ sql_type }})
    {%- endif -%}
{%- endmacro %}

{% macro athena__parse_number(expr, type) -%}
    {#- try_cast exists in DuckDB and Trino alike; dbt.safe_cast is a plain cast on dbt-duckdb -#}
    try_cast({{ oakvale._number_text(expr) }} as {{ api.Column.translate_type(type) }})
{%- endmacro %}

{#- Whole US dollars from money text; cents are rounded half away from zero (round() on both
    engines: never a cast of the fraction, which rounds half-even on DuckDB and half-up on Trino).
    Null, not a failed query, when the amount does not fit a bigint. -#}
{% macro parse_money(expr) -%}
    try_cast(round({{ oakvale.parse_number(expr, 'double') }}) as bigint)
{%- endmacro %}

{#- Dates and timestamps: one grammar for both targets (docs/data_contract.md, "Dates and
    timestamps"). The *_text macros below check text against it and write the accepted values as
    canonical text, in SQL that means the same on DuckDB and Trino (one regular expression, '' and
    null alike, no trim: the engines' trims drop different characters). Each target's branch then
    parses only that canonical text, so both accept exactly the same strings, and the engines only
    add the calendar check (2026-02-30 is null on both). Text outside the grammar is null on both,
    including forms Athena's own parser would read (year-only, week dates, two-digit years) or
    would fail the whole query on (offsets beyond +-14:00 or with seconds, five-digit years). -#}

{#- Blanks allowed around a value: ASCII space, tab, CR and LF only. -#}
{% macro _blanks() -%}
    [ \t\r\n]*
{%- endmacro %}

{#- ISO-8601 calendar date and time. Groups: 1 year (4 digits), 2 month, 3 day, 4 hour,
    5 minute, 6 second, 7 fraction of a second ('.' or ','; 1-9 digits), 8 offset ('Z', '+HH',
    '+HHMM', '+HH:MM'). The time, with 'T', 't' or one space before it, is optional; so are
    minutes, seconds, fraction and offset, each only after the one before. -#}
{% macro iso8601_pattern() -%}
    ^{{ oakvale._blanks() }}([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[Tt ]([0-9]{1,2})(?::([0-9]{1,2})(?::([0-9]{1,2})(?:[.,]([0-9]{1,9}))?)?)?([Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?)?{{ oakvale._blanks() }}$
{%- endmacro %}

{#- The calendar date forms. Groups: 1-3 'YYYY-M-D', 4-6 'M/D/YYYY', 7-9 'D Mon YYYY'. -#}
{% macro calendar_date_pattern() -%}
    ^{{ oakvale._blanks() }}(?:([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})|([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})|([0-9]{1,2}) ([A-Za-z]{3,9}) ([0-9]{4})){{ oakvale._blanks() }}$
{%- endmacro %}

{#- Epoch seconds, 9 to 11 digits (1973-03-03 to 5138-11-16). Group 1: the digits. -#}
{% macro epoch_seconds_pattern() -%}
    ^{{ oakvale._blanks() }}([0-9]{9,11}){{ oakvale._blanks() }}$
{%- endmacro %}

{#- Group `group` of `pattern` in `expr`; null when the text does not match (DuckDB's
    regexp_extract gives '' there, Trino's null) or the group did not take part. -#}
{% macro regexp_group(expr, pattern, group) -%}
    nullif(regexp_extract({{ expr }}, '{{ pattern }}', {{ group }}), '')
{%- endmacro %}

{#- Canonical 'YYYY-MM-DDTHH:MM:SS.fff+HH:MM' for text in the ISO-8601 grammar, else null.
    Missing time fields are zero, no offset is UTC, the fraction keeps its first three digits
    (Athena's from_iso8601_timestamp keeps milliseconds and drops the rest, unrounded). Year 0000
    and offsets beyond +-14:00 (Athena has no time zone for them) are refused. -#}
{% macro iso8601_text(expr) -%}
    {%- set pattern = oakvale.iso8601_pattern() -%}
    {%- set part = {} -%}
    {%- for name in ['year', 'month', 'day', 'hour', 'minute', 'second', 'fraction', 'offset'] -%}
        {%- do part.update({name: oakvale.regexp_group(expr, pattern, loop.index)}) -%}
    {%- endfor -%}
    {%- set offset_minute = "coalesce(nullif(substr(replace(" ~ part.offset ~ ", ':', ''), 4, 2), ''), '00')" -%}
    case
        when
            {{ part.year }} <> '0000'
            and (
                {{ part.offset }} is null
                or upper({{ part.offset }}) = 'Z'
                or (
                    try_cast({{ offset_minute }} as integer) <= 59
                    and try_cast(substr({{ part.offset }}, 2, 2) as integer) * 60
                    + try_cast({{ offset_minute }} as integer) <= 840
                )
            )
            then {{ part.year }} || '-' || lpad({{ part.month }}, 2, '0') || '-' || lpad({{ part.day }}, 2, '0')
                || 'T' || lpad(coalesce({{ part.hour }}, '0'), 2, '0')
                || ':' || lpad(coalesce({{ part.minute }}, '0'), 2, '0')
                || ':' || lpad(coalesce({{ part.second }}, '0'), 2, '0')
                || '.' || rpad(coalesce(substr({{ part.fraction }}, 1, 3), '0'), 3, '0')
                || case
                    when {{ part.offset }} is null or upper({{ part.offset }}) = 'Z' then '+00:00'
                    else substr({{ part.offset }}, 1, 3) || ':' || {{ offset_minute }}
                end
    end
{%- endmacro %}

{#- Canonical 'YYYY-MM-DD' for text in one of the calendar date forms, else null. Month names
    are English, abbreviated or full, written as Athena's date_parse reads them: 'Mar', 'mar',
    'MAR', 'March', 'march' or 'MARCH' ('mArch' and 'Sept' are refused). Year 0000 is refused. -#}
{% macro calendar_date_text(expr) -%}
    {%- set pattern = oakvale.calendar_date_pattern() -%}
    {%- set g = [none] -%}
    {%- for group in range(1, 10) -%}
        {%- do g.append(oakvale.regexp_group(expr, pattern, group)) -%}
    {%- endfor -%}
    {%- set month_name = g[8] -%}
    {%- set months = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august',
                      'september', 'october', 'november', 'december'] -%}
    {%- set year = 'coalesce(' ~ g[1] ~ ', ' ~ g[6] ~ ', ' ~ g[9] ~ ')' -%}
    case
        when {{ year }} <> '0000'
            then {{ year }} || '-' || lpad(coalesce({{ g[2] }}, {{ g[4] }}, case
                when {{ month_name }} in (
                    lower({{ month_name }}),
                    upper({{ month_name }}),
                    upper(substr({{ month_name }}, 1, 1)) || lower(substr({{ month_name }}, 2))
                )
                    then case lower({{ month_name }})
                    {%- for month in months %}
                        when '{{ month[:3] }}' then '{{ loop.index }}'
                        {%- if month | length > 3 %} when '{{ month }}' then '{{ loop.index }}'{% endif %}
                    {%- endfor %}
                    end
            end), 2, '0') || '-' || lpad(coalesce({{ g[3] }}, {{ g[5] }}, {{ g[7] }}), 2, '0')
    end
{%- endmacro %}

{#- A date from 'YYYY-M-D', 'M/D/YYYY' or 'D Mon YYYY' text (calendar_date_text); null when none
    fits or the day does not exist. -#}
{% macro safe_to_date(expr) -%}
    {{ return(adapter.dispatch('safe_to_date', 'oakvale')(expr)) }}
{%- endmacro %}

{% macro default__safe_to_date(expr) -%}
    cast(try_strptime({{ oakvale.calendar_date_text(expr) }}, '%Y-%m-%d') as date)
{%- endmacro %}

{% macro athena__safe_to_date(expr) -%}
    cast(try(date_parse({{ oakvale.calendar_date_text(expr) }}, '%Y-%m-%d')) as date)
{%- endmacro %}

{#- A UTC timestamp (no time zone, microseconds; sub-millisecond digits dropped) from ISO-8601
    text with an optional offset (iso8601_text) or from epoch seconds; null when neither fits or
    the date or time does not exist. -#}
{% macro safe_to_timestamp(expr) -%}
    {{ return(adapter.dispatch('safe_to_timestamp', 'oakvale')(expr)) }}
{%- endmacro %}

{% macro default__safe_to_timestamp(expr) -%}
    {%- set epoch_seconds = oakvale.regexp_group(expr, oakvale.epoch_seconds_pattern(), 1) -%}
    case
        when {{ epoch_seconds }} is not null
            then make_timestamp(cast({{ epoch_seconds }} as bigint) * 1000000)
        -- timezone('UTC', timestamptz) is the UTC wall time whatever the session's TimeZone
        else timezone('UTC', try_strptime({{ oakvale.iso8601_text(expr) }}, '%Y-%m-%dT%H:%M:%S.%g%z'))
    end
{%- endmacro %}

{% macro athena__safe_to_timestamp(expr) -%}
    {%- set epoch_seconds = oakvale.regexp_group(expr, oakvale.epoch_seconds_pattern(), 1) -%}
    case
        when {{ epoch_seconds }} is not null
            then cast(from_unixtime(cast({{ epoch_seconds }} as bigint)) at time zone 'UTC' as timestamp(6))
        else try(cast(from_iso8601_timestamp({{ oakvale.iso8601_text(expr) }}) at time zone 'UTC' as timestamp(6)))
    end
{%- endmacro %}

{#- An array of strings from JSON array text; null for null, '' or invalid JSON. -#}
{% macro json_string_array(expr) -%}
    {{ return(adapter.dispatch('json_string_array', 'oakvale')(expr)) }}
{%- endmacro %}

{#- DuckDB's JSON reader accepts what Trino's json_parse refuses (a trailing comma, NaN and
    Infinity), and its cast to varchar[] writes a nested array or object as text where Trino's cast
    fails (null through try): the local branch gives null for those too. String literals are
    blanked before looking for a trailing comma, so '["a,]"]' stays valid. -#}
{% macro default__json_string_array(expr) -%}
    {%- set text = oakvale.blank_to_null(expr) -%}
    {%- set strings = "regexp_replace(" ~ text ~ ", '\"(?:[^\"\\\\]|\\\\.)*\"', '\"\"', 'g')" -%}
    case
        when json_valid({{ text }})
            and not regexp_matches({{ strings }}, ',[ \t\r\n]*[\]}]|(?i:nan|infinity)')
            and not list_has_any(json_type(json({{ text }}), '$[*]'), ['ARRAY', 'OBJECT'])
            then try_cast(json({{ text }}) as varchar [])
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
