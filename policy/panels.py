"""The publication editor's note on its PDF's accessibility check."""

from wagtail.admin.panels import Panel

from policy.pdfreport import report


class DocumentCheckPanel(Panel):
    """Shows, under the chosen file, what the accessibility check found in it (as saved:
    choose a file and save a draft to see its check)."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "policy/admin/document_check_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance
            check = getattr(page, "document_check", None)
            context["document"] = getattr(page, "document", None)
            context["check"] = check
            context["problems"] = report(check)
            return context
