from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "trustdesk.taxonomy"
    label = "taxonomy"
    verbose_name = "Taxonomy"
