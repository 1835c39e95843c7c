{#- Aggregate and schema generic tests: `failures` is 1 when the observed value
    is out of bounds (or missing), 0 otherwise. -#}

{% test expect_table_row_count_to_be_between(model, min_value=none, max_value=none, row_condition=none) %}
  {{ floe_expectations.aggregate_test(model, 'count(*)', min_value, max_value, false, row_condition) }}
{% endtest %}

{% test expect_column_mean_to_be_between(model, column_name, min_value=none, max_value=none, strictly=false, row_condition=none) %}
  {{ floe_expectations.aggregate_test(model, 'avg(' ~ floe_expectations.quote_identifier(column_name) ~ ')', min_value, max_value, strictly, row_condition) }}
{% endtest %}

{% test expect_column_min_to_be_between(model, column_name, min_value=none, max_value=none, strictly=false, row_condition=none) %}
  {{ floe_expectations.aggregate_test(model, 'min(' ~ floe_expectations.quote_identifier(column_name) ~ ')', min_value, max_value, strictly, row_condition) }}
{% endtest %}

{% test expect_column_max_to_be_between(model, column_name, min_value=none, max_value=none, strictly=false, row_condition=none) %}
  {{ floe_expectations.aggregate_test(model, 'max(' ~ floe_expectations.quote_identifier(column_name) ~ ')', min_value, max_value, strictly, row_condition) }}
{% endtest %}

{% test expect_column_sum_to_be_between(model, column_name, min_value=none, max_value=none, strictly=false, row_condition=none) %}
  {{ floe_expectations.aggregate_test(model, 'sum(' ~ floe_expectations.quote_identifier(column_name) ~ ')', min_value, max_value, strictly, row_condition) }}
{% endtest %}

{% test expect_column_stdev_to_be_between(model, column_name, min_value=none, max_value=none, strictly=false, row_condition=none) %}
  {{ floe_expectations.aggregate_test(model, floe_expectations.stdev(floe_expectations.quote_identifier(column_name)), min_value, max_value, strictly, row_condition) }}
{% endtest %}

{% test expect_column_unique_value_count_to_be_between(model, column_name, min_value=none, max_value=none, strictly=false, row_condition=none) %}
  {{ floe_expectations.aggregate_test(model, 'count(distinct ' ~ floe_expectations.quote_identifier(column_name) ~ ')', min_value, max_value, strictly, row_condition) }}
{% endtest %}

{#- Fails when the newest value is older than now minus `interval` `datepart`s,
    or when there is no value at all. -#}
{% test expect_row_values_to_have_recent_data(model, column_name, datepart, interval, row_condition=none) %}
  {%- set column = floe_expectations.quote_identifier(column_name) %}
select * from (
  select max({{ column }}) as floe_latest
  from ({{ floe_expectations.scope(model, row_condition) }}) as floe_scope
) as floe_recency
where floe_latest is null
   or floe_latest < {{ dbt.dateadd(datepart, -1 * (interval | int), dbt.current_timestamp()) }}
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

{#- Not a check: it reports the table's row count (records_checked). dbt sets
    `failures` to 0 for every passing test, so this test always ends as a
    warning (`warn_if` >= 0, `error_if` never), which keeps its count. -#}
{% test floe_row_count(model) %}
  {{ config(fail_calc='coalesce(max(floe_row_count), 0)', warn_if='>= 0', error_if='< 0', severity='warn') }}
select count(*) as floe_row_count from {{ model }}
{% endtest %}
