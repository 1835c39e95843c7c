{#- Aggregate and schema generic tests: `failures` is 1 when the observed value
    is out of bounds (or missing), 0 otherwise. -#}

{% test expect_table_row_count_to_be_between(model, min_value=none, max_value=none, row_condition=none) %}
  {%- set c = floe_expectations.check_conditions('expect_table_row_count_to_be_between', {}) -%}
  {{ floe_expectations.aggregate_test(model, c.observed, min_value, max_value, false, false, row_condition) }}
{% endtest %}

{% test expect_column_mean_to_be_between(model, column_name, min_value=none, max_value=none, strict_min=false, strict_max=false, row_condition=none) %}
  {%- set c = floe_expectations.check_conditions('expect_column_mean_to_be_between', {'column_name': column_name}) -%}
  {{ floe_expectations.aggregate_test(model, c.observed, min_value, max_value, strict_min, strict_max, row_condition) }}
{% endtest %}

{% test expect_column_min_to_be_between(model, column_name, min_value=none, max_value=none, strict_min=false, strict_max=false, row_condition=none) %}
  {%- set c = floe_expectations.check_conditions('expect_column_min_to_be_between', {'column_name': column_name}) -%}
  {{ floe_expectations.aggregate_test(model, c.observed, min_value, max_value, strict_min, strict_max, row_condition) }}
{% endtest %}

{% test expect_column_max_to_be_between(model, column_name, min_value=none, max_value=none, strict_min=false, strict_max=false, row_condition=none) %}
  {%- set c = floe_expectations.check_conditions('expect_column_max_to_be_between', {'column_name': column_name}) -%}
  {{ floe_expectations.aggregate_test(model, c.observed, min_value, max_value, strict_min, strict_max, row_condition) }}
{% endtest %}

{% test expect_column_sum_to_be_between(model, column_name, min_value=none, max_value=none, strict_min=false, strict_max=false, row_condition=none) %}
  {%- set c = floe_expectations.check_conditions('expect_column_sum_to_be_between', {'column_name': column_name}) -%}
  {{ floe_expectations.aggregate_test(model, c.observed, min_value, max_value, strict_min, strict_max, row_condition) }}
{% endtest %}

{% test expect_column_stdev_to_be_between(model, column_name, min_value=none, max_value=none, strict_min=false, strict_max=false, row_condition=none) %}
  {%- set c = floe_expectations.check_conditions('expect_column_stdev_to_be_between', {'column_name': column_name}) -%}
  {{ floe_expectations.aggregate_test(model, c.observed, min_value, max_value, strict_min, strict_max, row_condition) }}
{% endtest %}

{% test expect_column_unique_value_count_to_be_between(model, column_name, min_value=none, max_value=none, strict_min=false, strict_max=false, row_condition=none) %}
  {%- set c = floe_expectations.check_conditions('expect_column_unique_value_count_to_be_between', {'column_name': column_name}) -%}
  {{ floe_expectations.aggregate_test(model, c.observed, min_value, max_value, strict_min, strict_max, row_condition) }}
{% endtest %}

{#- Fails when the newest value is older than now minus `max_age` (an interval
    literal in calendar months, days and seconds, as floe_sql computes it), or
    when there is no value at all. -#}
{% test expect_row_values_to_have_recent_data(model, column_name, max_age, row_condition=none) %}
  {%- set c = floe_expectations.check_conditions('expect_row_values_to_have_recent_data', {'column_name': column_name}) %}
select * from (
  select {{ c.observed }} as floe_latest
  from ({{ floe_expectations.scope(model, row_condition) }}) as floe_scope
) as floe_recency
where floe_latest is null
   or cast(floe_latest as timestamp) < cast(now() as timestamp) - cast({{ floe_expectations.literal(max_age) }} as interval)
{% endtest %}

{#- Names are compared exactly, and case-insensitively as well where the adapter
    folds unquoted names (DuckDB). -#}
{% test expect_column_to_exist(model, column_name) %}
  {%- set found = [] -%}
  {%- if execute -%}
    {%- for column in adapter.get_columns_in_relation(model) -%}
      {%- if column.name == column_name or (target.type == 'duckdb' and column.name | lower == column_name | lower) -%}
        {%- do found.append(column.name) -%}
      {%- endif -%}
    {%- endfor -%}
  {%- endif %}
select 1 as floe_missing_column where {{ 'false' if found else 'true' }}
{% endtest %}

{#- Not a check: one scan of the table that counts, for every check of the
    suite, the rows it evaluates and (row-level checks) the rows that fail it.
    dbt only reports a test's `failures`, and sets it to 0 for every passing
    test, so these counts travel in the log: one `floe_counts:` line, a JSON
    list [rows, evaluated_1, failed_1, observed_1, evaluated_2, ...] (failed is
    null for checks that are not row-level) followed, for aggregate checks,
    by the observed value as text (null otherwise), so entries come in threes
    after the row count. The test itself passes through
    the row count as a warning (`warn_if` >= 0, `error_if` never), the one
    status whose `failures` dbt keeps. `checks`: [{test, kwargs, row_condition}]. -#}
{% test floe_counts(model, checks) %}
  {{ config(fail_calc='coalesce(max(floe_row_count), 0)', warn_if='>= 0', error_if='< 0', severity='warn') }}
  {%- set columns = ['count(*)'] -%}
  {%- for check in checks -%}
    {%- set c = floe_expectations.check_conditions(check.test, check.kwargs) -%}
    {%- set scope = '(' ~ check.row_condition ~ ') and ' if check.row_condition else '' -%}
    {%- do columns.append('count(case when ' ~ scope ~ '(' ~ c.evaluated ~ ') then 1 end)') -%}
    {%- if c.passes is not none -%}
      {%- do columns.append('count(case when ' ~ scope ~ '(' ~ c.evaluated ~ ') and not (' ~ c.passes ~ ') then 1 end)') -%}
    {%- else -%}
      {%- do columns.append('null') -%}
    {%- endif -%}
    {%- set template = floe_expectations.aggregates().get(check.test) -%}
    {%- if template -%}
      {%- set column = floe_expectations.quote_identifier(check.kwargs.get('column_name')) if check.kwargs.get('column_name') is not none else '' -%}
      {#- Within the same scan: row_condition moves inside the aggregate. -#}
      {%- if check.row_condition -%}
        {%- set observed = template | replace('count(*)', 'count(case when (' ~ check.row_condition ~ ') then 1 end)') | replace('{}', 'case when (' ~ check.row_condition ~ ') then ' ~ column ~ ' end') -%}
      {%- else -%}
        {%- set observed = template | replace('{}', column) -%}
      {%- endif -%}
      {%- do columns.append(observed) -%}
    {%- else -%}
      {%- do columns.append('null') -%}
    {%- endif -%}
  {%- endfor -%}
  {%- set counts = [] -%}
  {%- if execute -%}
    {%- set result = run_query('select ' ~ columns | join(', ') ~ ' from ' ~ model) -%}
    {%- for value in result.rows[0] -%}
      {%- if loop.index0 > 0 and loop.index0 % 3 == 0 -%}
        {%- do counts.append(none if value is none else value | string) -%}
      {%- else -%}
        {%- do counts.append(none if value is none else value | int) -%}
      {%- endif -%}
    {%- endfor -%}
    {{ log('floe_counts:' ~ tojson(counts), info=true) }}
  {%- endif %}
select {{ counts[0] if counts else 0 }} as floe_row_count
{% endtest %}
