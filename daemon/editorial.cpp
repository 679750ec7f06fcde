#include "editorial.hpp"

namespace tinhop::daemon {

publish::Editorial editorial_from(const config::Config& config) {
  publish::Editorial editorial;
  for (const config::ViewConfig& view : config.views) {
    publish::ViewDefinition definition;
    definition.slug = view.slug;
    definition.title = view.title;
    if (!view.query.empty()) definition.query = view.query;
    definition.filter.source_urls = view.sources;
    definition.filter.categories = view.categories;
    definition.filter.languages = view.languages;
    definition.filter.min_publishers = view.min_publishers;
    definition.window = view.window;
    editorial.views.push_back(std::move(definition));
  }
  editorial.top.half_life = config.top.half_life;
  editorial.top.window = config.top.window;
  editorial.top.min_publishers = config.top.min_publishers;
  editorial.top.page_entries = config.top.page_entries;
  editorial.top.feed_entries = config.top.feed_entries;
  return editorial;
}

}  // namespace tinhop::daemon
