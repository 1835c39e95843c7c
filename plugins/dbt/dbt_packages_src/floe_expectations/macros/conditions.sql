{#- Which rows a test looks at (`evaluated`) and, for row-level tests, which of
    those pass (`passes`), as SQL conditions; for aggregate tests, the value
    they observe (`observed`). The generic tests are built from these, and so is
    floe_counts, so both always agree on what a check means. Nulls are neither
    checked nor failed, except by not_null. A new check type adds its branch here
    and its generic test at the end of this file (docs/configuration.md, "Adding
    a check type"). -#}
{% macro check_conditions(test, kwargs) %}
  {%- set column = floe_expectations.quote_identifier(kwargs.get('column_name')) if kwargs.get('column_name') is not none else none -%}
  {%- set not_null = column ~ ' is not null' if column else 'true' -%}
  {%- if test == 'expect_column_values_to_not_be_null' -%}
    {{ return({'evaluated': 'true', 'passes': column ~ ' is not null'}) }}
  {%- elif test in ('expect_column_values_to_be_in_set', 'expect_column_values_to_not_be_in_set') -%}
    {%- set literals = [] -%}
    {%- for value in kwargs.get('value_set') -%}{%- do literals.append(floe_expectations.literal(value)) -%}{%- endfor -%}
    {%- set in_set = test == 'expect_column_values_to_be_in_set' -%}
    {#- The empty set accepts no value and forbids none. -#}
    {%- if literals | length == 0 -%}
      {{ return({'evaluated': not_null, 'passes': 'false' if in_set else 'true'}) }}
    {%- endif -%}
    {{ return({'evaluated': not_null, 'passes': column ~ (' in (' if in_set else ' not in (') ~ literals | join(', ') ~ ')'}) }}
  {%- elif test == 'expect_column_values_to_be_between' -%}
    {{ return({'evaluated': not_null, 'passes': floe_expectations.within_bounds(column, kwargs.get('min_value'), kwargs.get('max_value'), kwargs.get('strict_min', false), kwargs.get('strict_max', false))}) }}
  {%- elif test == 'expect_column_values_to_match_regex' -%}
    {{ return({'evaluated': not_null, 'passes': floe_expectations.regex_matches(column, kwargs.get('regex'))}) }}
  {%- elif test == 'expect_column_value_lengths_to_be_between' -%}
    {%- set length = 'length(cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ '))' -%}
    {{ return({'evaluated': not_null, 'passes': floe_expectations.within_bounds(length, kwargs.get('min_value'), kwargs.get('max_value'))}) }}
  {%- elif test == 'expect_column_pair_values_A_to_be_greater_than_B' -%}
    {%- set a = floe_expectations.quote_identifier(kwargs.get('column_A')) -%}
    {%- set b = floe_expectations.quote_identifier(kwargs.get('column_B')) -%}
    {{ return({'evaluated': a ~ ' is not null and ' ~ b ~ ' is not null', 'passes': a ~ (' >= ' if kwargs.get('or_equal', false) else ' > ') ~ b}) }}
  {%- elif test == 'expression_is_true' -%}
    {{ return({'evaluated': 'true', 'passes': kwargs.get('expression')}) }}
  {%- elif test == 'expect_compound_columns_to_be_unique' -%}
    {%- set missing = [] -%}
    {%- for name in kwargs.get('column_list') -%}{%- do missing.append(floe_expectations.quote_identifier(name) ~ ' is null') -%}{%- endfor -%}
    {{ return({'evaluated': 'not (' ~ missing | join(' and ') ~ ')', 'passes': none}) }}
  {%- elif test in ('expect_column_values_to_be_unique', 'relationships') -%}
    {{ return({'evaluated': not_null, 'passes': none}) }}
  {%- elif test in floe_expectations.aggregates() -%}
    {{ return({'evaluated': 'true', 'passes': none, 'observed': floe_expectations.aggregates()[test] | replace('{}', column or '')}) }}
  {%- else -%}
    {{ return({'evaluated': 'true', 'passes': none}) }}
  {%- endif -%}
{% endmacro %}

{#- The aggregate each aggregate test bounds, `{}` standing for the column. -#}
{% macro aggregates() %}
  {{ return({
    'expect_table_row_count_to_be_between': 'count(*)',
    'expect_column_mean_to_be_between': 'avg({})',
    'expect_column_min_to_be_between': 'min({})',
    'expect_column_max_to_be_between': 'max({})',
    'expect_column_sum_to_be_between': 'sum({})',
    'expect_column_stdev_to_be_between': 'stddev_samp({})',
    'expect_column_unique_value_count_to_be_between': 'count(distinct {})',
    'expect_row_values_to_have_recent_data': 'max({})',
  }) }}
{% endmacro %}
