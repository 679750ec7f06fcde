// The date order of a source's numeric dates in the daemon: what a document showed by its
// own dates is remembered for the source's later documents (and stored with its health),
// HTTP Content-Language is a hint, and the dates not understood are counted per poll.
#include <catch2/catch.hpp>

#include <chrono>
#include <future>

#include "pipeline.hpp"
#include "tinhop/parsers/contract_json.hpp"

namespace {

using namespace tinhop;
using namespace std::chrono_literals;

std::string feed_with(const std::string& first, const std::string& second) {
  return "<rss version=\"2.0\"><channel><title>Tin</title>"
         "<item><title>a</title><link>http://127.0.0.1/a</link><pubDate>" +
         first +
         "</pubDate></item>"
         "<item><title>b</title><link>http://127.0.0.1/b</link><pubDate>" +
         second + "</pubDate></item></channel></rss>";
}

// Parses `body` as the pipeline does for `source`, and returns the result.
ParseResult parse(daemon::Pipeline& pipeline, const fetch::PollSource& source, const std::string& body,
                  const std::string& content_language = {}) {
  fetch::Response response;
  response.status = 200;
  response.url = source.url;
  response.body = body;
  response.content_language = content_language;
  std::promise<fetch::Processed> parsed;
  pipeline.process(source, std::move(response), [&](fetch::Processed p) { parsed.set_value(std::move(p)); });
  auto future = parsed.get_future();
  REQUIRE(future.wait_for(10s) == std::future_status::ready);
  fetch::Processed processed = future.get();
  REQUIRE(processed.document);
  return std::move(*processed.document);
}

std::vector<std::string> dates(const ParseResult& result) {
  std::vector<std::string> out;
  for (const Item& item : result.feed.items)
    out.push_back(item.published ? format_rfc3339(*item.published) : "null");
  return out;
}

}  // namespace

TEST_CASE("the pipeline reads a source's undecided numeric dates in the order its documents showed") {
  auto opened = storage::Store::open(":memory:");
  REQUIRE(opened.has_value());
  daemon::Pipeline pipeline(*opened, {}, {});
  fetch::PollSource source;  // UTC, a loopback URL: nothing else tells the order
  source.id = 7;
  source.url = "http://127.0.0.1:8080/rss";

  const std::string ambiguous = feed_with("08/09/2018 10:00", "07/09/2018 09:00");
  ParseResult first = parse(pipeline, source, ambiguous);
  CHECK(dates(first) == std::vector<std::string>{"null", "null"});
  CHECK(first.date_order.basis == DateOrderBasis::undecided);
  fetch::PollReport report;
  report.source_id = source.id;
  report.outcome = fetch::PollOutcome::ok;
  report.document = first;
  storage::FetchRecord record = daemon::to_record(report);
  CHECK(record.dates_not_understood == 2);
  CHECK_FALSE(record.date_order_seen);

  // The server's Content-Language settles it for that response only.
  const ParseResult american = parse(pipeline, source, ambiguous, "en-US");
  CHECK(dates(american) == std::vector<std::string>{"2018-08-09T10:00:00Z", "2018-07-09T09:00:00Z"});
  CHECK(american.date_order == DateOrderDecision{DateOrder::mdy, DateOrderBasis::language});

  // A day above 12 shows the order; the later documents of the source are read in it.
  const ParseResult telling = parse(pipeline, source, feed_with("13/09/2018 10:00", "07/09/2018 09:00"));
  CHECK(telling.date_order == DateOrderDecision{DateOrder::dmy, DateOrderBasis::document});
  report.document = telling;
  record = daemon::to_record(report);
  CHECK(record.date_order_seen == DateOrder::dmy);
  CHECK(record.dates_not_understood == 0);
  const ParseResult later = parse(pipeline, source, ambiguous, "en-US");
  CHECK(dates(later) == std::vector<std::string>{"2018-09-08T10:00:00Z", "2018-09-07T09:00:00Z"});
  CHECK(later.date_order == DateOrderDecision{DateOrder::dmy, DateOrderBasis::history});

  // What the store remembered from an earlier run comes with the source.
  fetch::PollSource stored = source;
  stored.id = 8;
  stored.date_order_seen = DateOrder::mdy;
  CHECK(dates(parse(pipeline, stored, ambiguous)) ==
        std::vector<std::string>{"2018-08-09T10:00:00Z", "2018-07-09T09:00:00Z"});
  pipeline.finish();
}
