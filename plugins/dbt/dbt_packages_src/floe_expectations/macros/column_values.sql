{#- Row-level generic tests. `failures` = the number of rows that fail. -#}

{% test expect_column_values_to_not_be_null(model, column_name, mostly=none, row_condition=none) %}
  {%- set c = floe_expectations.check_conditions('expect_column_values_to_not_be_null', {'column_name': column_name}) -%}
  {{ floe_expectations.row_test(model, c.passes, c.evaluated, mostly, row_condition) }}
{% endtest %}

{% test expect_column_values_to_be_in_set(model, column_name, value_set, mostly=none, row_condition=none) %}
  {%- set c = floe_expectations.check_conditions('expect_column_values_to_be_in_set', {'column_name': column_name, 'value_set': value_set}) -%}
  {{ floe_expectations.row_test(model, c.passes, c.evaluated, mostly, row_condition) }}
{% endtest %}

{% test expect_column_values_to_not_be_in_set(model, column_name, value_set, mostly=none, row_condition=none) %}
  {%- set c = floe_expectations.check_conditions('expect_column_values_to_not_be_in_set', {'column_name': column_name, 'value_set': value_set}) -%}
  {{ floe_expectations.row_test(model, c.passes, c.evaluated, mostly, row_condition) }}
{% endtest %}

{% test expect_column_values_to_be_between(model, column_name, min_value=none, max_value=none, strict_min=false, strict_max=false, mostly=none, row_condition=none) %}
  {%- set c = floe_expectations.check_conditions('expect_column_values_to_be_between', {'column_name': column_name, 'min_value': min_value, 'max_value': max_value, 'strict_min': strict_min, 'strict_max': strict_max}) -%}
  {{ floe_expectations.row_test(model, c.passes, c.evaluated, mostly, row_condition) }}
{% endtest %}

{% test expect_column_values_to_match_regex(model, column_name, regex, mostly=none, row_condition=none) %}
  {%- set c = floe_expectations.check_conditions('expect_column_values_to_match_regex', {'column_name': column_name, 'regex': regex}) -%}
  {{ floe_expectations.row_test(model, c.passes, c.evaluated, mostly, row_condition) }}
{% endtest %}

{% test expect_column_value_lengths_to_be_between(model, column_name, min_value=none, max_value=none, mostly=none, row_condition=none) %}
  {%- set c = floe_expectations.check_conditions('expect_column_value_lengths_to_be_between', {'column_name': column_name, 'min_value': min_value, 'max_value': max_value}) -%}
  {{ floe_expectations.row_test(model, c.passes, c.evaluated, mostly, row_condition) }}
{% endtest %}

{% test expect_column_pair_values_A_to_be_greater_than_B(model, column_A, column_B, or_equal=false, mostly=none, row_condition=none) %}
  {%- set c = floe_expectations.check_conditions('expect_column_pair_values_A_to_be_greater_than_B', {'column_A': column_A, 'column_B': column_B, 'or_equal': or_equal}) -%}
  {{ floe_expectations.row_test(model, c.passes, c.evaluated, mostly, row_condition) }}
{% endtest %}

{#- `expression` is SQL by definition: it is written into the query as it is. -#}
{% test expression_is_true(model, expression, mostly=none, row_condition=none) %}
  {%- set c = floe_expectations.check_conditions('expression_is_true', {'expression': expression}) -%}
  {{ floe_expectations.row_test(model, c.passes, c.evaluated, mostly, row_condition) }}
{% endtest %}
