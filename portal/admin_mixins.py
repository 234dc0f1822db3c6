"""Admin behaviour every back-office list shares."""

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import EmptyResultSet, FullResultSet


class _SafeChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        # Django admits any lookup on a local field from the query string, and some values
        # only fail when the SQL is compiled (`?date_decision__year=0` → ValueError, a 500).
        # Compiling here turns them into Django's own "invalid parameters" redirect.
        try:
            queryset.query.sql_with_params()
        except (EmptyResultSet, FullResultSet):
            pass  # an empty (or unfiltered) list is a valid answer
        except (ValueError, TypeError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error
        return queryset


class SafeLookupsMixin:
    """Out-of-range lookups in an admin list's query string are refused, never a 500."""

    def get_changelist(self, request, **kwargs):
        return _SafeChangeList
