{#- Building blocks shared by the generic tests. dbt's own adapter.quote wraps a
    name in quote characters without doubling the ones inside it, so names are
    quoted here instead. -#}

{% macro quote_identifier(name) -%}
  {{ return(adapter.dispatch('quote_identifier', 'floe_expectations')(name)) }}
{%- endmacro %}

{% macro default__quote_identifier(name) -%}
  {{ return('"' ~ (name | string | replace('"', '""')) ~ '"') }}
{%- endmacro %}

{#- A value written as a SQL literal: numbers and booleans as they are, text
    single-quoted with embedded quotes doubled. -#}
{% macro literal(value) -%}
  {%- if value is none -%}null
  {%- elif value is sameas true -%}true
  {%- elif value is sameas false -%}false
  {%- elif value is number -%}{{ value }}
  {%- else -%}'{{ value | string | replace("'", "''") }}'
  {%- endif -%}
{%- endmacro %}

{% macro regex_matches(expression, pattern) -%}
  {{ return(adapter.dispatch('regex_matches', 'floe_expectations')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(expression, pattern) -%}
  regexp_matches(cast({{ expression }} as {{ dbt.type_string() }}), {{ floe_expectations.literal(pattern) }})
{%- endmacro %}

{% macro postgres__regex_matches(expression, pattern) -%}
  (cast({{ expression }} as {{ dbt.type_string() }}) ~ {{ floe_expectations.literal(pattern) }})
{%- endmacro %}

{% macro stdev(expression) -%}
  stddev_samp({{ expression }})
{%- endmacro %}

{#- The rows the test looks at: the model, narrowed by row_condition. -#}
{% macro scope(model, row_condition) -%}
  select * from {{ model }}{% if row_condition %} where {{ row_condition }}{% endif %}
{%- endmacro %}

{#- "value within bounds" for between-style tests; each side strict or not on its own. -#}
{% macro within_bounds(expression, min_value, max_value, strict_min=false, strict_max=false) -%}
  {%- set low = '>' if strict_min else '>=' -%}
  {%- set high = '<' if strict_max else '<=' -%}
  {%- if min_value is not none and max_value is not none -%}
    ({{ expression }} {{ low }} {{ floe_expectations.literal(min_value) }} and {{ expression }} {{ high }} {{ floe_expectations.literal(max_value) }})
  {%- elif min_value is not none -%}
    ({{ expression }} {{ low }} {{ floe_expectations.literal(min_value) }})
  {%- elif max_value is not none -%}
    ({{ expression }} {{ high }} {{ floe_expectations.literal(max_value) }})
  {%- else -%}
    {{ exceptions.raise_compiler_error('give min_value, max_value or both') }}
  {%- endif -%}
{%- endmacro %}

{#- A row-level test: one output row per failing row. `evaluated` says which rows
    are checked (nulls are neither checked nor failed, except by not_null); with
    `mostly`, each failing row also carries the number of evaluated rows, and the
    thresholds compare the two, so `failures` stays the number of failing rows. -#}
{% macro row_test(model, passes, evaluated='true', mostly=none, row_condition=none) -%}
  {%- if mostly is not none -%}
    {%- set tolerance = '> 0 and (max(floe_evaluated) - count(*)) < ' ~ mostly ~ ' * max(floe_evaluated)' -%}
    {{ config(warn_if=tolerance, error_if=tolerance) }}
  {%- endif %}
with floe_scope as (
  {{ floe_expectations.scope(model, row_condition) }}
),
floe_failing as (
  select * from floe_scope where ({{ evaluated }}) and not ({{ passes }})
)
{% if mostly is not none -%}
select floe_failing.*, floe_total.floe_evaluated
from floe_failing
cross join (select count(*) as floe_evaluated from floe_scope where ({{ evaluated }})) as floe_total
{%- else -%}
select * from floe_failing
{%- endif %}
{%- endmacro %}

{#- An aggregate test: one row when the observed value is out of bounds (or
    missing, as on an empty table). -#}
{% macro aggregate_test(model, aggregate, min_value, max_value, strict_min=false, strict_max=false, row_condition=none) -%}
with floe_observed as (
  select {{ aggregate }} as floe_observed_value
  from ({{ floe_expectations.scope(model, row_condition) }}) as floe_scope
)
select * from floe_observed
where floe_observed_value is null
   or not {{ floe_expectations.within_bounds('floe_observed_value', min_value, max_value, strict_min, strict_max) }}
{%- endmacro %}
