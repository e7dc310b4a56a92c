{#- Incremental by landed file.

    Validation records, per landed file, the validation run that last changed its valid
    rows (`validated.file_verdicts.validation_seq`: a new file, a file whose row lost an id
    to a later file, a replaced file). The Dagster dbt asset passes the last sequence dbt
    has built from as var `nps_built_through_seq` (and `--full-refresh` when the
    configuration changed or nothing was built yet). An incremental model then deletes
    the rows of the files changed since (pre-hook `delete_changed_files`) and inserts
    their rows anew (filter `only_changed_files`): cost follows the new data, and the
    result equals a full build. Without the var every file counts as changed. -#}

{% macro changed_files() -%}
    {%- set since = var('nps_built_through_seq', none) -%}
    (select file_id from {{ source('inbox', 'file_verdicts') }}
     where validation_seq > {{ since if since is not none else -1 }})
{%- endmacro %}

{#- A predicate: true for the rows of changed files on an incremental run, else always. -#}
{% macro only_changed_files(file_id_column='source_file_id') -%}
    {%- if is_incremental() -%}
        {{ file_id_column }} in {{ changed_files() }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of an incremental model: remove the rows of changed files before they are
    inserted again (files whose rows all went away leave nothing behind). -#}
{% macro delete_changed_files(file_id_column='source_file_id') -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ file_id_column }} in {{ changed_files() }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
