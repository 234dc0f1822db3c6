// Export page of the back-office (templates/admin/import_export/export.html): the "select
// all" checkbox checks or unchecks every field. Replaces django-import-export's inline
// onchange handler, which the CSP (no 'unsafe-inline' scripts) never runs.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll('input.select-toggle[name="select-all-toggle"]').forEach((toggle) => {
    toggle.addEventListener("change", () => {
      document
        .querySelectorAll('.selectable-field-export-row input[type="checkbox"]')
        .forEach((checkbox) => {
          checkbox.checked = toggle.checked;
        });
    });
  });
});
