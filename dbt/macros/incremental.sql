{#- Incremental by landed file.

    Validation records, per landed file, the validation run that last changed its valid
    rows (`lake.file_verdicts.validation_seq`: a new file, a file whose row lost an id
    to a later file, a replaced file). After a successful build the Dagster dbt asset
    records the last run this target has built from (`lake.dbt_built_through`, one row per
    dbt target) and runs dbt with `--full-refresh` when the configuration changed or the
    target built nothing yet.
    An incremental model then deletes the rows of the files changed since (pre-hook
    `delete_changed_files`) and inserts their rows anew (filter `only_changed_files`):
    cost follows the new data, and the result equals a full build.

    The watermark is read from the warehouse, not passed as a var: a var that changes on
    every run makes dbt re-parse the whole project every run. Var `nps_built_through_seq`
    still overrides it (a hand-run or a test building from a given run). -#}

{% macro built_through_seq() -%}
    {%- set since = var('nps_built_through_seq', none) -%}
    {%- if since is not none -%} {{ since }}
    {%- else -%}
    (select coalesce(max(validation_seq), -1) from {{ source('inbox', 'dbt_built_through') }}
     where target = '{{ target.name }}')
    {%- endif -%}
{%- endmacro %}

{#- The relation a model's last build left, for a model that must read it before that model
    is built again (a ref would build it after): none while parsing, on a full build, on
    Spark (whose models incremental by key are tables built in full) and before the first
    build. -#}
{% macro relation_as_last_built(model_name) -%}
    {%- set node = graph.nodes.get('model.' ~ project_name ~ '.' ~ model_name) if execute else none -%}
    {%- if node is none or target.type == 'spark' or flags.FULL_REFRESH -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias)) }}
{%- endmacro %}

{#- The validation run the warehouse is at now (what this build reflects), -1 when none. -#}
{% macro validation_seq_now() -%}
    (select coalesce(max(validation_seq), -1) from {{ source('inbox', 'file_verdicts') }})
{%- endmacro %}

{#- The files whose valid rows changed since the last build, as SQL (a subquery): a file
    whose rows only changed their quarantine reason (a losing row now names another winner)
    is not one (`valid_rows_seq`; NULL in warehouses of older versions). -#}
{% macro changed_files() -%}
    (select file_id from {{ source('inbox', 'file_verdicts') }}
     where coalesce(valid_rows_seq, validation_seq) > {{ built_through_seq() }})
{%- endmacro %}

{#- The invitation cohort of a file changes with the file, and when a response answering
    one of its invitations arrives or goes away (validation records those invitations in
    `answers_touched`): the invitation files to count again, listed once per build by
    int_cohort_files_to_rebuild (a model that calls this names it in a depends_on). -#}
{% macro changed_cohort_files() -%}
    (select file_id from {{ ref('int_cohort_files_to_rebuild') }})
{%- endmacro %}

{#- The changed files first judged since the last build (all their rows are new to it). -#}
{% macro arrived_files() -%}
    (select file_id from {{ changed_files() }} as changed
     where file_id in (
         select file_id from {{ source('inbox', 'file_verdicts') }}
         where coalesce(first_judged_seq, validation_seq) > {{ built_through_seq() }}))
{%- endmacro %}

{#- The files with any verdict changed since the last build, as SQL (a subquery): those whose
    valid rows changed, those whose rows only changed their quarantine reason (a losing row
    now names another winner), and those replaced or retired (their rows are gone). What
    holds a file's rejected rows (quarantined_rows, excluded_rows) rebuilds these. -#}
{% macro judged_files() -%}
    (select file_id from {{ source('inbox', 'file_verdicts') }}
     where validation_seq > {{ built_through_seq() }})
{%- endmacro %}

{#- The detractors' response files whose follow-up counts change in this build, listed once
    per build by int_followup_files_to_rebuild (a model that calls this names it in a
    depends_on). -#}
{% macro followup_files() -%}
    (select file_id from {{ ref('int_followup_files_to_rebuild') }})
{%- endmacro %}

{#- Which files to rebuild: `files` = 'landed' (changed_files), 'cohort' (changed_cohort_files),
    'arrived' (arrived_files), 'judged' (judged_files) or 'followup' (followup_files). -#}
{% macro files_to_rebuild(files) -%}
    {%- if files == 'landed' -%} {{ changed_files() }}
    {%- elif files == 'cohort' -%} {{ changed_cohort_files() }}
    {%- elif files == 'arrived' -%} {{ arrived_files() }}
    {%- elif files == 'judged' -%} {{ judged_files() }}
    {%- elif files == 'followup' -%} {{ followup_files() }}
    {%- else -%} {{ exceptions.raise_compiler_error("files must be 'landed', 'cohort', 'arrived', 'judged' or 'followup', not " ~ files) }}
    {%- endif -%}
{%- endmacro %}

{#- The ids of the files to rebuild, looked up now (none while parsing). -#}
{% macro file_ids_to_rebuild(files='landed') -%}
    {%- if execute -%}
        {{ return(run_query('select distinct file_id from ' ~ files_to_rebuild(files) ~ ' as f order by 1').columns[0].values()) }}
    {%- else -%}
        {{ return([]) }}
    {%- endif -%}
{%- endmacro %}

{#- A predicate: `file_id_column` is one of the files to rebuild. The list is looked up
    when the model runs and written into the SQL as constants: DuckDB pushes a constant
    list into the table scan (row groups of other files are skipped), while a subquery
    makes it read and compute every row of history first (int_verbatims_unpivoted at 1M:
    0.47 s with the subquery, 0.005 s with the list). -#}
{% macro in_files_to_rebuild(file_id_column='source_file_id', files='landed') -%}
    {%- set file_ids = file_ids_to_rebuild(files) -%}
    {%- if file_ids | length == 0 -%}
        false
    {%- else -%}
        {{ file_id_column }} in (
            {%- for file_id in file_ids -%}
                '{{ file_id | replace("'", "''") }}'{% if not loop.last %}, {% endif %}
            {%- endfor -%})
    {%- endif -%}
{%- endmacro %}

{#- A predicate: the row of `kind` became valid since the last build - a row of a file
    first judged since, or a row of an earlier file that validation judged valid again
    (`rows_revalidated`: a later file gave its id back, or its file took one over). A file
    whose rows only lost an id to a new file adds nothing: the new file's row holds the id. -#}
{% macro in_rows_to_rebuild(kind, file_id_column='source_file_id', row_column='source_row_number') -%}
    {{ in_files_to_rebuild(file_id_column) }}
    and (
        {{ in_files_to_rebuild(file_id_column, 'arrived') }}
        {%- for file_id in revalidated_file_ids(kind) %}
        or (
            {{ file_id_column }} = {{ sql_text(file_id) }}
            and {{ row_column }} in (
                select revalidated.row_number from {{ source('inbox', 'rows_revalidated') }} as revalidated
                where revalidated.kind = '{{ kind }}'
                    and revalidated.validation_seq > {{ built_through_seq() }}
                    and revalidated.file_id = {{ sql_text(file_id) }}
            )
        )
        {%- endfor %}
    )
{%- endmacro %}

{#- The earlier files of `kind` with rows judged valid again since the last build, looked up
    now (none while parsing). Each goes into `in_rows_to_rebuild` as a constant with the
    numbers of its rows as a plain subquery: a subquery correlated on (file, row) made DuckDB
    list every (file, row) of the files it looked at first (12M rows of a billing export
    with 43k rows judged again: 8.5 s, as constants 0.2 s). -#}
{% macro revalidated_file_ids(kind) -%}
    {%- if execute -%}
        {%- set query -%}
            select distinct file_id from {{ source('inbox', 'rows_revalidated') }}
            where kind = '{{ kind }}' and validation_seq > {{ built_through_seq() }}
            order by 1
        {%- endset -%}
        {{ return(run_query(query).columns[0].values()) }}
    {%- else -%}
        {{ return([]) }}
    {%- endif -%}
{%- endmacro %}

{#- A predicate: true for the rows of changed files on an incremental run, else always. -#}
{% macro only_changed_files(file_id_column='source_file_id', files='landed') -%}
    {%- if is_incremental() -%}
        {{ in_files_to_rebuild(file_id_column, files) }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of an incremental model: remove the rows of changed files before they are
    inserted again (files whose rows all went away leave nothing behind). -#}
{% macro delete_changed_files(file_id_column='source_file_id', files='landed') -%}
    {%- if is_incremental() -%}
        {{ return(adapter.dispatch('delete_changed_files')(file_id_column, files)) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{% macro default__delete_changed_files(file_id_column, files) -%}
    delete from {{ this }} where {{ in_files_to_rebuild(file_id_column, files) }}
{%- endmacro %}

{#- Spark's Parquet tables delete no rows: the models built by file are partitioned by their
    file column (dbt_project.yml), so a changed file's rows are its partition, dropped. -#}
{% macro spark__delete_changed_files(file_id_column, files) -%}
    {%- set file_ids = file_ids_to_rebuild(files) -%}
    {%- if file_ids | length == 0 -%}
        select 1
    {%- else -%}
        alter table {{ this }} drop if exists
        {%- for file_id in file_ids %}
        partition ({{ file_id_column }} = '{{ file_id | replace("'", "''") }}'){{ ',' if not loop.last }}
        {%- endfor %}
    {%- endif -%}
{%- endmacro %}

{#- Whether a file of `kind` changed its valid rows since the last build (a query now;
    false while parsing). -#}
{% macro kind_changed_since_build(kind) -%}
    {{ return(_any_file_verdict(kind, "coalesce(valid_rows_seq, validation_seq) > " ~ built_through_seq())) }}
{%- endmacro %}

{#- Whether a file of `kind` judged since the last build is no longer live (it was replaced
    by a new version, or retired): the rows it held are gone (a query now; false while
    parsing). -#}
{% macro kind_replaced_since_build(kind) -%}
    {{ return(_any_file_verdict(kind, "not is_live and validation_seq > " ~ built_through_seq())) }}
{%- endmacro %}

{#- Whether a landed file of `kind` has a verdict that meets `condition` (SQL). -#}
{% macro _any_file_verdict(kind, condition) -%}
    {%- if not execute -%} {{ return(false) }} {%- endif -%}
    {%- set found = run_query(
        "select count(*) from " ~ source('inbox', 'file_verdicts')
        ~ " where kind = '" ~ kind ~ "' and " ~ condition) -%}
    {{ return(found.columns[0].values()[0] > 0) }}
{%- endmacro %}

{#- Pre-hook of a model incremental by key: remove the rows whose key is no longer in
    `source` (the relation it copies). -#}
{% macro delete_rows_gone(key_column, source) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ key_column }} not in (select {{ key_column }} from {{ source }})
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- Data tests on row-level relations, scoped to what changed.

    Rows of files that did not change since the last successful build were tested then
    and are the same now (a failed build records no watermark, so its files are tested
    again). On incremental builds with the settings' vars (var `nps_test_changed_files_only`
    in `nps-warehouse dbt-vars`: the pipeline's builds and a hand-run with those vars; never
    on `--full-refresh`) the tests below look only at rows of changed files; on a full
    build, or without the var, they look at everything. -#}
{% macro tests_changed_files_only() -%}
    {{ return(var('nps_test_changed_files_only', false) and not flags.FULL_REFRESH) }}
{%- endmacro %}

{#- In a test's `where` config, `__changed_files__` stands for "the row is in a changed
    file" when tests_changed_files_only(), else for `true`; `__judged_files__` likewise for
    the files with any verdict changed (judged_files: what the rejected-row marts rebuild).
    Right only for checks of one row at a time, or of keys that include the file column. -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where') or '' -%}
    {%- if '__changed_files__' in where -%}
        {%- set in_changed = '(' ~ in_files_to_rebuild() ~ ')' if tests_changed_files_only() else 'true' -%}
        {%- set where = where | replace('__changed_files__', in_changed) -%}
    {%- endif -%}
    {%- if '__judged_files__' in where -%}
        {%- set in_judged = '(' ~ in_files_to_rebuild('source_file_id', 'judged') ~ ')' if tests_changed_files_only() else 'true' -%}
        {%- set where = where | replace('__judged_files__', in_judged) -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- else -%}
        {{ return(relation) }}
    {%- endif -%}
{%- endmacro %}

{#- A fingerprint of a group's rows, to tell whether they changed since a last build: the
    sum of the rows' hashes (`columns`: a list of SQL expressions). A sum and not an xor,
    so two identical rows do not cancel out; kept beside a row count. -#}
{% macro rows_fingerprint(columns) -%}
    sum(cast(hash({{ columns | join(', ') }}) as decimal(38, 0)))
{%- endmacro %}
