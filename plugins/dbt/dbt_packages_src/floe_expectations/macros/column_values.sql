{#- Row-level generic tests. `failures` = the number of rows that fail. -#}

{% test expect_column_values_to_not_be_null(model, column_name, mostly=none, row_condition=none) %}
  {%- set column = floe_expectations.quote_identifier(column_name) -%}
  {{ floe_expectations.row_test(model, column ~ ' is not null', 'true', mostly, row_condition) }}
{% endtest %}

{% test expect_column_values_to_be_in_set(model, column_name, value_set, mostly=none, row_condition=none) %}
  {%- set column = floe_expectations.quote_identifier(column_name) -%}
  {%- set literals = [] -%}
  {%- for value in value_set -%}{%- do literals.append(floe_expectations.literal(value)) -%}{%- endfor -%}
  {{ floe_expectations.row_test(model, column ~ ' in (' ~ literals | join(', ') ~ ')', column ~ ' is not null', mostly, row_condition) }}
{% endtest %}

{% test expect_column_values_to_not_be_in_set(model, column_name, value_set, mostly=none, row_condition=none) %}
  {%- set column = floe_expectations.quote_identifier(column_name) -%}
  {%- set literals = [] -%}
  {%- for value in value_set -%}{%- do literals.append(floe_expectations.literal(value)) -%}{%- endfor -%}
  {{ floe_expectations.row_test(model, column ~ ' not in (' ~ literals | join(', ') ~ ')', column ~ ' is not null', mostly, row_condition) }}
{% endtest %}

{% test expect_column_values_to_be_between(model, column_name, min_value=none, max_value=none, strictly=false, mostly=none, row_condition=none) %}
  {%- set column = floe_expectations.quote_identifier(column_name) -%}
  {{ floe_expectations.row_test(model, floe_expectations.within_bounds(column, min_value, max_value, strictly), column ~ ' is not null', mostly, row_condition) }}
{% endtest %}

{% test expect_column_values_to_match_regex(model, column_name, regex, mostly=none, row_condition=none) %}
  {%- set column = floe_expectations.quote_identifier(column_name) -%}
  {{ floe_expectations.row_test(model, floe_expectations.regex_matches(column, regex), column ~ ' is not null', mostly, row_condition) }}
{% endtest %}

{% test expect_column_value_lengths_to_be_between(model, column_name, min_value=none, max_value=none, mostly=none, row_condition=none) %}
  {%- set column = floe_expectations.quote_identifier(column_name) -%}
  {%- set length = 'length(cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ '))' -%}
  {{ floe_expectations.row_test(model, floe_expectations.within_bounds(length, min_value, max_value, false), column ~ ' is not null', mostly, row_condition) }}
{% endtest %}

{% test expect_column_pair_values_A_to_be_greater_than_B(model, column_A, column_B, or_equal=false, mostly=none, row_condition=none) %}
  {%- set a = floe_expectations.quote_identifier(column_A) -%}
  {%- set b = floe_expectations.quote_identifier(column_B) -%}
  {%- set comparison = a ~ (' >= ' if or_equal else ' > ') ~ b -%}
  {{ floe_expectations.row_test(model, comparison, a ~ ' is not null and ' ~ b ~ ' is not null', mostly, row_condition) }}
{% endtest %}

{#- `expression` is SQL by definition: it is written into the query as it is. -#}
{% test expression_is_true(model, expression, mostly=none, row_condition=none) %}
  {{ floe_expectations.row_test(model, expression, 'true', mostly, row_condition) }}
{% endtest %}
