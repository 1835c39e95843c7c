{#- Set-level generic tests. `failures` = the number of rows that fail: every
    row whose value (or combination) occurs more than once, every child row
    without a parent. The duplicate tests return one row per duplicated value and
    sum their row counts, which is cheaper than a window over the whole table. -#}

{% test expect_column_values_to_be_unique(model, column_name, row_condition=none) %}
  {{ config(fail_calc='coalesce(sum(floe_rows), 0)') }}
  {%- set column = floe_expectations.quote_identifier(column_name) -%}
  {%- set c = floe_expectations.check_conditions('expect_column_values_to_be_unique', {'column_name': column_name}) %}
select {{ column }} as floe_value, count(*) as floe_rows
from ({{ floe_expectations.scope(model, row_condition) }}) as floe_scope
where {{ c.evaluated }}
group by {{ column }}
having count(*) > 1
{% endtest %}

{#- Rows where every column of the combination is null are ignored. -#}
{% test expect_compound_columns_to_be_unique(model, column_list, row_condition=none) %}
  {{ config(fail_calc='coalesce(sum(floe_rows), 0)') }}
  {%- set columns = [] -%}
  {%- for name in column_list -%}{%- do columns.append(floe_expectations.quote_identifier(name)) -%}{%- endfor -%}
  {%- set c = floe_expectations.check_conditions('expect_compound_columns_to_be_unique', {'column_list': column_list}) %}
select {{ columns | join(', ') }}, count(*) as floe_rows
from ({{ floe_expectations.scope(model, row_condition) }}) as floe_scope
where {{ c.evaluated }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}

{% test relationships(model, column_name, to, field, row_condition=none) %}
  {%- set column = floe_expectations.quote_identifier(column_name) -%}
  {%- set parent_field = floe_expectations.quote_identifier(field) %}
select floe_child.*
from ({{ floe_expectations.scope(model, row_condition) }}) as floe_child
where {{ column }} is not null
  and not exists (
    select 1 from {{ to }} as floe_parent
    where floe_parent.{{ parent_field }} = floe_child.{{ column }}
  )
{% endtest %}
