"""Read back the values a rendered admin form would submit, as a browser would.

Tests that POST "what the page shows" (revert a version, save a form unchanged) use this
instead of hand-written data, so a field rendered wrongly is caught.
"""

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = form_id is None
        self.depth = 0
        self.values = []
        self.submits = []
        self._select = None
        self._option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if self.form_id is None or attrs.get("id") == self.form_id:
                self.inside = True
            if self.inside:
                self.depth += 1
            return
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.values.append((name, attrs.get("value", "on")))
            elif kind == "submit":
                self.submits.append((name, attrs.get("value", "")))
            elif kind not in ("button", "image", "reset", "file"):
                self.values.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self._select = {
                "name": name,
                "chosen": [],
                "first": None,
                "multiple": "multiple" in attrs,
            }
        elif tag == "option" and self._select is not None:
            self._option = attrs.get("value")
            if self._select["first"] is None:
                self._select["first"] = self._option
            if "selected" in attrs:
                self._select["chosen"].append(self._option)
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.depth -= 1
            if self.depth <= 0 and self.form_id is not None:
                self.inside = False
        elif tag == "select" and self._select is not None:
            chosen = self._select["chosen"]
            if not chosen and not self._select["multiple"] and self._select["first"] is not None:
                chosen = [self._select["first"]]  # what a browser sends
            for value in chosen:
                self.values.append((self._select["name"], value or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            self.values.append((name, text.removeprefix("\n")))
            self._textarea = None


def rendered_form(html, form_id=None):
    """(name, value) pairs the form would send, and its submit buttons' names."""
    parser = _FormParser(form_id)
    parser.feed(html)
    return parser.values, [name for name, _ in parser.submits]


def as_post_data(pairs):
    """Pairs to the dict of lists the test client posts (repeated names kept)."""
    data = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    return data
