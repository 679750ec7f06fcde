#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "tinhop/parsers/contract_json.hpp"
#include "tinhop/parsers/date.hpp"
#include "tinhop/parsers/feed.hpp"

using namespace std::chrono;
using tinhop::DateContext;
using tinhop::DateOrder;
using tinhop::Instant;

namespace {

std::string utc(Instant instant) {
  const auto day = floor<days>(instant);
  const year_month_day date{day};
  const hh_mm_ss clock{instant - day};
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02ld:%02ld:%02ldZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<long>(clock.hours().count()), static_cast<long>(clock.minutes().count()),
                static_cast<long>(clock.seconds().count()));
  return buffer;
}

Instant at(int y, unsigned m, unsigned d, int h, int min, int s = 0) {
  return sys_days{year{y} / month{m} / day{d}} + hours{h} + minutes{min} + seconds{s};
}

DateContext context(const char* zone, DateOrder order = DateOrder::automatic) {
  DateContext c;
  c.time_zone = zone;
  c.order = order;
  c.now = at(2026, 9, 15, 5, 0);  // 12:00 in Hà Nội
  return c;
}

const DateContext vn = context("Asia/Ho_Chi_Minh");
const DateContext vn_dmy = context("Asia/Ho_Chi_Minh", DateOrder::dmy);
const DateContext vn_mdy = context("Asia/Ho_Chi_Minh", DateOrder::mdy);
const DateContext utc_auto = context("UTC");
const DateContext utc_dmy = context("UTC", DateOrder::dmy);
const DateContext new_york = context("America/New_York");

struct Case {
  const char* text;
  const DateContext* context;
  const char* expected;  // nullptr: not understood
};

// Each row: the string as a feed or page writes it, the source's settings, and the UTC
// instant it names.
const std::vector<Case> cases = {
    // RFC 822 / 1123 and the variants real feeds write.
    {"Mon, 14 Sep 2026 09:13:00 +0700", &vn, "2026-09-14T02:13:00Z"},
    {"Mon, 14 Sep 26 09:13:00 +0700", &vn, "2026-09-14T02:13:00Z"},
    {"Mon, 14 Sep 2026 14:21:27 +07:00", &vn, "2026-09-14T07:21:27Z"},
    {"Mon, 14 Sep 2026 19:46:22 +07", &vn, "2026-09-14T12:46:22Z"},
    {"Tue, 15 Sep 2026 09:02:15 GMT+7", &vn, "2026-09-15T02:02:15Z"},
    {"Mon, 14 Sep 2026 02:21:53 GMT", &vn, "2026-09-14T02:21:53Z"},
    {"Thu, 01 Jan 2004 19:48:21 GMT", &utc_auto, "2004-01-01T19:48:21Z"},
    {"Sun, 06 Jul 2014 12:56:00 GMT", &utc_auto, "2014-07-06T12:56:00Z"},
    {"14 Sep 2026 09:13:00 +0700", &vn, "2026-09-14T02:13:00Z"},
    {"Mon, 14 Sep 2026 09:13 +0700", &vn, "2026-09-14T02:13:00Z"},
    {"Mon, 14 Sep 2026 09:13:00 UTC+7", &vn, "2026-09-14T02:13:00Z"},
    {"Mon, 14 Sep 2026 09:13:00 (GMT+7)", &vn, "2026-09-14T02:13:00Z"},
    {"Mon, 14 Sep 2026 09:13:00 GMT+07:00", &vn, "2026-09-14T02:13:00Z"},
    {"Mon, 14 Sep 2026 09:13:00 GMT +7", &vn, "2026-09-14T02:13:00Z"},
    {"Mon, 14 Sep 2026 09:13:00 GMT-5", &vn, "2026-09-14T14:13:00Z"},
    {"Mon, 14 Sep 2026 09:13:00 +0000 (UTC)", &vn, "2026-09-14T09:13:00Z"},
    {"Mon, 14 Sep 2026 09:13:00 UT", &vn, "2026-09-14T09:13:00Z"},
    {"Mon, 14 Sep 2026 09:13:00 Z", &vn, "2026-09-14T09:13:00Z"},
    {"Mon, 14 Sep 2026 09:13:00 EST", &vn, "2026-09-14T14:13:00Z"},
    {"Mon, 14 Sep 2026 09:13:00 EDT", &vn, "2026-09-14T13:13:00Z"},
    {"Mon, 14 Sep 2026 09:13:00 CST", &vn, "2026-09-14T15:13:00Z"},
    {"Mon, 14 Sep 2026 09:13:00 CDT", &vn, "2026-09-14T14:13:00Z"},
    {"Mon, 14 Sep 2026 09:13:00 MST", &vn, "2026-09-14T16:13:00Z"},
    {"Mon, 14 Sep 2026 09:13:00 MDT", &vn, "2026-09-14T15:13:00Z"},
    {"Mon, 14 Sep 2026 09:13:00 PST", &vn, "2026-09-14T17:13:00Z"},
    {"Mon, 14 Sep 2026 09:13:00 PDT", &vn, "2026-09-14T16:13:00Z"},
    {"Mon, 14 Sep 2026 09:13:00 ICT", &utc_auto, "2026-09-14T02:13:00Z"},
    // Military letters carry no information (RFC 1123 5.2.14): read as UTC.
    {"Mon, 14 Sep 2026 09:13:00 A", &vn, "2026-09-14T09:13:00Z"},
    {"Mon, 14 Sep 2026 09:13:00 M", &vn, "2026-09-14T09:13:00Z"},
    {"Mon, 14 Sep 2026 09:13:00 Y", &vn, "2026-09-14T09:13:00Z"},
    {"Mon, 14 Sep 2026 09:13:00 J", &vn, nullptr},
    {"Mon, 14 Sep 2026 09:13:00 -0500", &vn, "2026-09-14T14:13:00Z"},
    {"Mon, 14 Sep 2026 09:13:00 +0530", &vn, "2026-09-14T03:43:00Z"},
    {"Monday, 14 September 2026 09:13:00 +0700", &vn, "2026-09-14T02:13:00Z"},
    {"Mon, 14 Sept 2026 09:13:00 +0700", &vn, "2026-09-14T02:13:00Z"},
    {"mon, 14 sep 2026 09:13:00 +0700", &vn, "2026-09-14T02:13:00Z"},
    {"MON, 14 SEP 2026 09:13:00 +0700", &vn, "2026-09-14T02:13:00Z"},
    {"Mon,14 Sep 2026 09:13:00 +0700", &vn, "2026-09-14T02:13:00Z"},
    {"Mon, 14 Sep 2026 9:13:00 +0700", &vn, "2026-09-14T02:13:00Z"},
    {"Mon, 4 Sep 2026 09:13:00 +0700", &vn, "2026-09-04T02:13:00Z"},
    {"Mon, 14 Sep 2026 09:13:00", &vn, "2026-09-14T02:13:00Z"},
    {"Mon, 14 Sep 2026 09:13:00", &utc_auto, "2026-09-14T09:13:00Z"},
    {"Tue, 14 Sep 99 09:13:00 GMT", &vn, "1999-09-14T09:13:00Z"},
    {"Mon Sep 14 09:13:00 2026", &utc_auto, "2026-09-14T09:13:00Z"},
    {"Sep 14 2026 09:13", &utc_auto, "2026-09-14T09:13:00Z"},
    {"\tMon, 14 Sep 2026 09:13:00 +0700\n", &vn, "2026-09-14T02:13:00Z"},
    {"Mon, 14 Sep 2026 25:13:00 +0700", &vn, nullptr},
    {"Mon, 31 Feb 2026 09:13:00 +0700", &vn, nullptr},
    {"Mon, 14 Foo 2026 09:13:00 +0700", &vn, nullptr},
    {"Mon, 14 Sep 2026 09:13:00 +2500", &vn, nullptr},
    {"Mon, 14 Sep 2026 09:13:00 -2500", &vn, nullptr},
    {"Mon, 14 Sep 2026 09:61:00 +0700", &vn, nullptr},
    {"Mon, 14 Sep 2026 09:13:00 +0700 garbage", &vn, nullptr},
    {"Mon, 14 Sep 2026 09:13:00 +0700 +0800", &vn, nullptr},

    // RFC 3339 / ISO 8601 / W3CDTF.
    {"2026-09-15T07:13:33+0700", &utc_auto, "2026-09-15T00:13:33Z"},
    {"2026-09-15T07:13:33+07:00", &utc_auto, "2026-09-15T00:13:33Z"},
    {"2026-09-15T07:13:33+07", &utc_auto, "2026-09-15T00:13:33Z"},
    {"2026-09-15T07:13:33-05:00", &utc_auto, "2026-09-15T12:13:33Z"},
    {"2026-09-15T07:13:33Z", &vn, "2026-09-15T07:13:33Z"},
    {"2026-09-15t07:13:33z", &vn, "2026-09-15T07:13:33Z"},
    {"2026-09-15T07:13:33.123Z", &vn, "2026-09-15T07:13:33Z"},
    {"2026-09-15T07:13:33.123456+07:00", &vn, "2026-09-15T00:13:33Z"},
    {"2026-09-15T07:13:33,5Z", &vn, "2026-09-15T07:13:33Z"},
    {"2026-09-15T07:13Z", &vn, "2026-09-15T07:13:00Z"},
    {"2026-09-15T07:13:33", &vn, "2026-09-15T00:13:33Z"},
    {"2026-09-15T10:00:00", &vn, "2026-09-15T03:00:00Z"},
    {"2026-09-15", &vn, "2026-09-14T17:00:00Z"},
    {"2026-09", &vn, "2026-08-31T17:00:00Z"},
    {"2026", &vn, "2025-12-31T17:00:00Z"},
    {"2026-09-15 07:13:33", &vn, "2026-09-15T00:13:33Z"},
    {"2026-09-15 07:13:33 +0700", &utc_auto, "2026-09-15T00:13:33Z"},
    {"2026-09-15 07:13:33 GMT", &vn, "2026-09-15T07:13:33Z"},
    {"  2026-09-15T07:13:33Z  ", &vn, "2026-09-15T07:13:33Z"},
    {"2026-09-15T24:00:00Z", &vn, "2026-09-16T00:00:00Z"},
    {"2026-09-15T23:59:60Z", &vn, "2026-09-15T23:59:59Z"},
    {"2009-12-08T16:59:02.563-08:00", &vn, "2009-12-09T00:59:02Z"},
    {"2003-12-31T10:14:55Z", &vn, "2003-12-31T10:14:55Z"},
    {"2026-9-15", &vn, "2026-09-14T17:00:00Z"},
    {"2026/09/15 10:30", &vn, "2026-09-15T03:30:00Z"},
    {"20260915", &vn, "2026-09-14T17:00:00Z"},
    {"2026-13-15", &vn, nullptr},
    {"2026-02-30", &vn, nullptr},
    {"2026-09-15T24:30:00Z", &vn, nullptr},
    {"2026-09-15T07:13:33+0700 extra", &vn, nullptr},
    {"2026-09-15T07", &vn, nullptr},
    {"1970-01-01 08:00", &vn, "1970-01-01T00:00:00Z"},  // Saigon kept UTC+8 until 1975

    // Unix timestamps (data-time="1789473825").
    {"1789473825", &vn, "2026-09-15T12:03:45Z"},
    {"1789473825000", &vn, "2026-09-15T12:03:45Z"},
    {"178947382", &vn, "1975-09-03T03:36:22Z"},
    {"12345", &vn, nullptr},
    {"0", &vn, nullptr},

    // Day-first and month-first numeric dates.
    {"02/08/2019", &vn_dmy, "2019-08-01T17:00:00Z"},
    {"02/08/2019", &vn_mdy, "2019-02-07T17:00:00Z"},
    {"02/08/2019", &vn, nullptr},  // automatic and ambiguous: the document decides
    {"02-08-2019 10:30", &vn_dmy, "2019-08-02T03:30:00Z"},
    {"02.08.2019 10:30", &vn_dmy, "2019-08-02T03:30:00Z"},
    {"08/09/2018 (GMT+7)", &vn_dmy, "2018-09-07T17:00:00Z"},
    {"08/09/2018 (GMT+7)", &utc_dmy, "2018-09-07T17:00:00Z"},
    {"08/09/2018 (GMT+7)", &vn, nullptr},
    {"14/09/2026 11:20", &vn, "2026-09-14T04:20:00Z"},
    {"10:00 15/09/2026", &vn, "2026-09-15T03:00:00Z"},
    {"15/09/2026 07:13", &vn, "2026-09-15T00:13:00Z"},
    {"- 14/09/2026 10:30", &vn, "2026-09-14T03:30:00Z"},
    {"31/12/99", &vn_dmy, "1999-12-30T17:00:00Z"},
    {"1/2/2026", &utc_dmy, "2026-02-01T00:00:00Z"},
    {"14/09/2026 11:20:33", &vn, "2026-09-14T04:20:33Z"},
    {"14/9/2026 - 11:20", &vn, "2026-09-14T04:20:00Z"},
    {"14/09/2026, 11:20", &vn, "2026-09-14T04:20:00Z"},
    {"14/09/2026 11h20", &vn, "2026-09-14T04:20:00Z"},
    {"11h20 14/09/2026", &vn, "2026-09-14T04:20:00Z"},
    {"14/09/2026 lúc 11:20", &vn, "2026-09-14T04:20:00Z"},
    {"14/09/2026 11 giờ 20 phút", &vn, "2026-09-14T04:20:00Z"},
    {"14/09/2026 11:20 GMT+7", &utc_auto, "2026-09-14T04:20:00Z"},
    {"14/09/2026 11:20 (GMT+07:00)", &utc_auto, "2026-09-14T04:20:00Z"},
    {"13/13/2026", &vn, nullptr},
    {"13/13/2026", &vn_dmy, nullptr},
    {"32/01/2026", &vn_dmy, nullptr},
    {"02/08/2019 | 341", &vn_dmy, nullptr},
    {"15/09", &vn_dmy, nullptr},
    {"15/09-2026", &vn_dmy, nullptr},

    // US CMS output: month first, 12-hour clock, odd spaces before AM/PM.
    {"9/14/2026 6:44:00 PM", &vn, "2026-09-14T11:44:00Z"},
    {"9/14/2026 6:44:00\u202FPM", &vn, "2026-09-14T11:44:00Z"},
    {"9/14/2026 6:44:00\u00A0PM", &vn, "2026-09-14T11:44:00Z"},
    {"9/14/2026\u00A06:44:00\u202Fpm", &vn, "2026-09-14T11:44:00Z"},
    {"9/16/2026 10:30:00 AM", &vn, "2026-09-16T03:30:00Z"},
    {"9/10/2026 10:30:00 AM", &vn, "2026-09-10T03:30:00Z"},
    {"9/15/2026 3:05:00 PM", &vn, "2026-09-15T08:05:00Z"},
    {"9/14/2026 12:00:00 AM", &vn, "2026-09-13T17:00:00Z"},
    {"9/14/2026 12:30:00 PM", &vn, "2026-09-14T05:30:00Z"},
    {"9/14/2026 13:30:00 PM", &vn, nullptr},
    {"9/14/2026 6:44 p.m.", &vn, "2026-09-14T11:44:00Z"},
    {"9/14/2026 6:44:00 CH", &vn, "2026-09-14T11:44:00Z"},
    {"9/14/2026 6:44:00 SA", &vn, "2026-09-13T23:44:00Z"},
    {"9/14/2026 6:44:00 PM", &vn_mdy, "2026-09-14T11:44:00Z"},
    {"9/14/2026 6:44:00 PM", &vn_dmy, nullptr},
    {"9/13/2026 8:01:00 PM", &vn, "2026-09-13T13:01:00Z"},
    {"9/16/2026 10:17:00 PM", &vn, "2026-09-16T15:17:00Z"},

    // Vietnamese words.
    {"Thứ Ba, 29/09/2015, 10:13", &vn, "2015-09-29T03:13:00Z"},
    {"Thứ sáu, 02/08/2019 10:30 GMT+7", &vn, "2019-08-02T03:30:00Z"},
    {"NGÀY 14 THÁNG 9, 2026 | 10:30", &vn, "2026-09-14T03:30:00Z"},
    {"Thứ sáu,  22/01/2021", &vn, "2021-01-21T17:00:00Z"},
    {"Thứ hai, 14/09/2026", &vn, "2026-09-13T17:00:00Z"},
    {"Thứ 2, 14/09/2026 10:30", &vn, "2026-09-14T03:30:00Z"},
    {"CN, 13/09/2026 10:30", &vn, "2026-09-13T03:30:00Z"},
    {"Chủ nhật, 13/09/2026 10:30", &vn, "2026-09-13T03:30:00Z"},
    {"Chủ Nhật, ngày 13 tháng 9 năm 2026", &vn, "2026-09-12T17:00:00Z"},
    {"ngày 14 tháng 9 năm 2026 lúc 10:30", &vn, "2026-09-14T03:30:00Z"},
    {"14 tháng 9 2026", &vn, "2026-09-13T17:00:00Z"},
    {"10:30 sáng ngày 14/09/2026", &vn, "2026-09-14T03:30:00Z"},
    {"3:30 chiều 14/09/2026", &vn, "2026-09-14T08:30:00Z"},
    {"8 giờ tối 14/09/2026", &vn, "2026-09-14T13:00:00Z"},
    {"1 giờ trưa 14/09/2026", &vn, "2026-09-14T06:00:00Z"},
    {"2 giờ đêm 14/09/2026", &vn, "2026-09-13T19:00:00Z"},
    {"Thứ năm, 17/09/2026 - 08:00", &vn, "2026-09-17T01:00:00Z"},
    {"Thứ tư, 16/09/2026 14:05", &vn, "2026-09-16T07:05:00Z"},
    {"Thu\u031B\u0301 Ba, 29/09/2015, 10:13", &vn, "2015-09-29T03:13:00Z"},  // NFD
    {"thứ bảy, 19/09/2026", &vn, "2026-09-18T17:00:00Z"},
    {"T7, 19/09/2026 08:00", &vn, "2026-09-19T01:00:00Z"},
    {"Thứ Ba, 29/09/2015,\t10:13", &vn, "2015-09-29T03:13:00Z"},
    {"ngày 02/08/2019", &vn, "2019-08-01T17:00:00Z"},
    {"Thứ sáu, 02/08/2019", &vn, "2019-08-01T17:00:00Z"},
    {"Cập nhật: 14/09/2026", &vn, nullptr},  // labels are the caller's to strip

    // English month names.
    {"Tuesday, April 12, 2016 (GMT+7)", &vn, "2016-04-11T17:00:00Z"},
    {"Tuesday, April 12, 2016 (GMT+7)", &utc_auto, "2016-04-11T17:00:00Z"},
    {"April 12, 2016", &vn, "2016-04-11T17:00:00Z"},
    {"April 12, 2016 10:30 AM", &utc_auto, "2016-04-12T10:30:00Z"},
    {"Apr 12, 2016 6:05 PM", &utc_auto, "2016-04-12T18:05:00Z"},
    {"12 April 2016", &utc_auto, "2016-04-12T00:00:00Z"},
    {"12-Apr-2016 10:30", &utc_auto, "2016-04-12T10:30:00Z"},
    {"April 12th, 2016", &utc_auto, "2016-04-12T00:00:00Z"},
    {"14th of September 2026", &utc_auto, "2026-09-14T00:00:00Z"},
    {"Sep. 14, 2026", &utc_auto, "2026-09-14T00:00:00Z"},
    {"September 14, 2026 at 9:13 pm", &utc_auto, "2026-09-14T21:13:00Z"},
    {"6 PM, September 14, 2026", &utc_auto, "2026-09-14T18:00:00Z"},
    {"April 12", &utc_auto, nullptr},

    // Relative dates against now = 2026-09-15 12:00 in Hà Nội.
    {"vừa xong", &vn, "2026-09-15T05:00:00Z"},
    {"Vừa xong", &vn, "2026-09-15T05:00:00Z"},
    {"30 giây trước", &vn, "2026-09-15T04:59:30Z"},
    {"5 phút trước", &vn, "2026-09-15T04:55:00Z"},
    {"2 giờ trước", &vn, "2026-09-15T03:00:00Z"},
    {"2 tiếng trước", &vn, "2026-09-15T03:00:00Z"},
    {"25 ngày trước", &vn, "2026-08-21T05:00:00Z"},
    {"1 tuần trước", &vn, "2026-09-08T05:00:00Z"},
    {"3 tháng trước", &vn, "2026-06-15T05:00:00Z"},
    {"1 năm trước", &vn, "2025-09-15T05:00:00Z"},
    {"khoảng 2 giờ trước", &vn, "2026-09-15T03:00:00Z"},
    {"cách đây 2 giờ", &vn, "2026-09-15T03:00:00Z"},
    {"3 days ago", &vn, "2026-09-12T05:00:00Z"},
    {"just now", &vn, "2026-09-15T05:00:00Z"},
    {"hôm nay 10:30", &vn, "2026-09-15T03:30:00Z"},
    {"HÔM NAY 10:30", &vn, "2026-09-15T03:30:00Z"},
    {"10:30 hôm nay", &vn, "2026-09-15T03:30:00Z"},
    {"hôm qua", &vn, "2026-09-13T17:00:00Z"},
    {"hôm qua lúc 22:15", &vn, "2026-09-14T15:15:00Z"},
    {"Hôm qua, 22:15", &vn, "2026-09-14T15:15:00Z"},
    {"hôm kia 08:00", &vn, "2026-09-13T01:00:00Z"},
    {"yesterday 10:00", &utc_auto, "2026-09-14T10:00:00Z"},
    {"2 giờ nữa", &vn, nullptr},
    {"trước", &vn, nullptr},
    {"5 phút", &vn, nullptr},
    {"99999 ngày trước", &vn, nullptr},

    // Zone-less dates in a zone with daylight saving time.
    {"2026-07-01 12:00", &new_york, "2026-07-01T16:00:00Z"},
    {"2026-01-15 12:00", &new_york, "2026-01-15T17:00:00Z"},
    {"2026-03-08 02:30", &new_york, "2026-03-08T07:30:00Z"},  // skipped: read with EST
    {"2026-11-01 01:30", &new_york, "2026-11-01T05:30:00Z"},  // repeated: first (EDT)
    {"11/01/2026 1:30 AM", &new_york, "2026-11-01T05:30:00Z"},

    // Not dates.
    {"", &vn, nullptr},
    {"   ", &vn, nullptr},
    {"not a date", &vn, nullptr},
    {"10:30", &vn, nullptr},
    {"Monday", &vn, nullptr},
    {"14 Sep 2026 \u2713", &vn, nullptr},
    {"\xff\xfe\x31\x34", &vn, nullptr},
    {"2026-09-15T07:13:33Z\x01", &vn, nullptr},
};

}  // namespace

TEST_CASE("parse_date reads every form in the table to its exact UTC instant", "[date]") {
  REQUIRE(cases.size() >= 150);
  for (const auto& c : cases) {
    INFO("date text: \"" << c.text << "\" zone " << c.context->time_zone);
    const auto parsed = tinhop::parse_date(c.text, *c.context);
    if (c.expected == nullptr) {
      CHECK_FALSE(parsed.has_value());
      if (parsed) WARN("read as " << utc(parsed->instant));
    } else {
      REQUIRE(parsed.has_value());
      CHECK(utc(parsed->instant) == c.expected);
    }
  }
}

TEST_CASE("parse_date says whether the text named its zone", "[date]") {
  CHECK(tinhop::parse_date("Mon, 14 Sep 2026 09:13:00 +0700", vn)->had_zone);
  CHECK(tinhop::parse_date("08/09/2018 (GMT+7)", vn_dmy)->had_zone);
  CHECK(tinhop::parse_date("1789473825", vn)->had_zone);
  CHECK_FALSE(tinhop::parse_date("9/14/2026 6:44:00 PM", vn)->had_zone);
  CHECK_FALSE(tinhop::parse_date("2026-09-15T10:00:00", vn)->had_zone);
}

TEST_CASE("parse_date marks relative and partial dates approximate", "[date]") {
  CHECK(tinhop::parse_date("25 ngày trước", vn)->approximate);
  CHECK(tinhop::parse_date("hôm nay 10:30", vn)->approximate);
  CHECK(tinhop::parse_date("2026-09", vn)->approximate);
  CHECK(tinhop::parse_date("2026", vn)->approximate);
  CHECK_FALSE(tinhop::parse_date("2026-09-15", vn)->approximate);
  CHECK_FALSE(tinhop::parse_date("14/09/2026 11:20", vn)->approximate);
}

TEST_CASE("relative dates need a reference time and respect calendars", "[date]") {
  DateContext no_now = vn;
  no_now.now = Instant{};
  CHECK_FALSE(tinhop::parse_date("5 phút trước", no_now));
  CHECK_FALSE(tinhop::parse_date("hôm nay 10:30", no_now));

  DateContext end_of_march = vn;
  end_of_march.now = at(2026, 3, 31, 5, 0);
  CHECK(utc(tinhop::parse_date("1 tháng trước", end_of_march)->instant) == "2026-02-28T05:00:00Z");

  // Two calendar days back across the start of daylight saving time is 47 hours.
  DateContext ny = new_york;
  ny.now = at(2026, 3, 9, 15, 0);  // 11:00 EDT
  CHECK(utc(tinhop::parse_date("2 ngày trước", ny)->instant) == "2026-03-07T16:00:00Z");
}

TEST_CASE("an unknown zone name leaves zone-less dates not understood", "[date]") {
  const DateContext mars = context("Mars/Olympus_Mons");
  CHECK_FALSE(tinhop::parse_date("2026-09-15 10:00", mars));
  CHECK(utc(tinhop::parse_date("2026-09-15T10:00:00Z", mars)->instant) == "2026-09-15T10:00:00Z");
}

TEST_CASE("parse_date refuses text longer than any date", "[date]") {
  const std::string long_text = "Mon, 14 Sep 2026 09:13:00 +0700" + std::string(300, ' ');
  CHECK_FALSE(tinhop::parse_date(long_text, vn));
  CHECK_FALSE(tinhop::parse_date(std::string(20, '9'), vn));
}

TEST_CASE("infer_date_order decides from values above 12, AM/PM and Vietnamese words", "[date]") {
  using V = std::vector<std::string_view>;
  CHECK(tinhop::infer_date_order(V{"02/08/2019", "14/09/2026"}, DateOrder::mdy) == DateOrder::dmy);
  CHECK(tinhop::infer_date_order(V{"01/02/2026", "03/04/2026", "25/04/2026"}, DateOrder::mdy) ==
        DateOrder::dmy);
  CHECK(tinhop::infer_date_order(V{"9/14/2026 6:44:00 PM"}, DateOrder::dmy) == DateOrder::mdy);
  CHECK(tinhop::infer_date_order(V{"9/10/2026 6:44:00 PM"}, DateOrder::dmy) == DateOrder::mdy);
  CHECK(tinhop::infer_date_order(V{"Thứ sáu, 02/08/2019"}, DateOrder::mdy) == DateOrder::dmy);
  CHECK(tinhop::infer_date_order(V{"02/08/2019"}, DateOrder::dmy) == DateOrder::dmy);
  CHECK(tinhop::infer_date_order(V{"02/08/2019"}, DateOrder::mdy) == DateOrder::mdy);
  CHECK(tinhop::infer_date_order(V{"08/09/2018 (GMT+7)", "07/09/2018 (GMT+7)"}, DateOrder::dmy) ==
        DateOrder::dmy);
  CHECK(tinhop::infer_date_order(V{"Mon, 14 Sep 2026 09:13:00 PM"}, DateOrder::dmy) == DateOrder::dmy);
  CHECK(tinhop::infer_date_order(V{"25/04/2026", "04/25/2026"}, DateOrder::automatic) ==
        DateOrder::automatic);
  CHECK(tinhop::infer_date_order(V{}, DateOrder::dmy) == DateOrder::dmy);
}

TEST_CASE("date_order_for_language reads the order customary for a language tag", "[date]") {
  CHECK(tinhop::date_order_for_language("vi") == DateOrder::dmy);
  CHECK(tinhop::date_order_for_language(" vi-VN\n") == DateOrder::dmy);
  CHECK(tinhop::date_order_for_language("fr_FR") == DateOrder::dmy);
  CHECK(tinhop::date_order_for_language("en-GB") == DateOrder::dmy);
  CHECK(tinhop::date_order_for_language("en-US") == DateOrder::mdy);
  CHECK(tinhop::date_order_for_language("en") == DateOrder::mdy);
  CHECK(tinhop::date_order_for_language("zh-CN") == DateOrder::automatic);
  CHECK(tinhop::date_order_for_language("") == DateOrder::automatic);
  CHECK(tinhop::date_order_for_language("vietnamese") == DateOrder::automatic);
}

TEST_CASE("automatic date order falls back to the feed's language when the values do not decide",
          "[date][feed]") {
  const auto published = [](std::string_view language) {
    const std::string xml = "<rss version=\"2.0\"><channel>" + std::string(language) +
                            "<item><title>a</title><pubDate>08/09/2018 (GMT+7)</pubDate></item>"
                            "<item><title>b</title><pubDate>07/09/2018 10:30 (GMT+7)</pubDate></item>"
                            "</channel></rss>";
    tinhop::ParseContext context;
    context.date_order = DateOrder::automatic;
    const tinhop::ParseOutcome outcome = tinhop::parse_feed(xml, context);
    REQUIRE(outcome);
    const tinhop::ParseResult& result = outcome.result();
    REQUIRE(result.feed.items.size() == 2);
    std::vector<std::string> dates;
    for (const tinhop::Item& item : result.feed.items) {
      dates.push_back(item.published ? tinhop::format_rfc3339(*item.published) : "null");
    }
    return std::pair{dates, result.warnings};
  };
  const auto vi = published("<language>vi-VN</language>");
  CHECK(vi.first == std::vector<std::string>{"2018-09-07T17:00:00Z", "2018-09-07T03:30:00Z"});
  CHECK(vi.second.empty());
  const auto us = published("<language>en-us</language>");
  CHECK(us.first == std::vector<std::string>{"2018-08-08T17:00:00Z", "2018-07-09T03:30:00Z"});
  const auto unknown = published("");
  CHECK(unknown.first == std::vector<std::string>{"null", "null"});
  CHECK(unknown.second ==
        std::vector<std::string>{"2 date(s) not understood, e.g. '08/09/2018 (GMT+7)': nothing tells whether "
                                 "day or month comes first (set the source's date_order)"});
}

TEST_CASE("the customary date order of a country comes from CLDR", "[date]") {
  CHECK(tinhop::date_order_for_region("VN") == DateOrder::dmy);
  CHECK(tinhop::date_order_for_region("vn") == DateOrder::dmy);
  CHECK(tinhop::date_order_for_region("US") == DateOrder::mdy);
  CHECK(tinhop::date_order_for_region("PH") == DateOrder::mdy);
  CHECK(tinhop::date_order_for_region("GB") == DateOrder::dmy);
  CHECK(tinhop::date_order_for_region("UK") == DateOrder::dmy);         // the deprecated code of GB
  CHECK(tinhop::date_order_for_region("JP") == DateOrder::automatic);   // y/MM/dd
  CHECK(tinhop::date_order_for_region("EU") == DateOrder::automatic);   // a grouping, no country
  CHECK(tinhop::date_order_for_region("ZZ") == DateOrder::automatic);   // unknown region
  CHECK(tinhop::date_order_for_region("001") == DateOrder::automatic);  // the world
  CHECK(tinhop::date_order_for_region("") == DateOrder::automatic);

  CHECK(tinhop::date_order_for_time_zone("Asia/Ho_Chi_Minh") == DateOrder::dmy);
  CHECK(tinhop::date_order_for_time_zone("Asia/Saigon") == DateOrder::dmy);
  CHECK(tinhop::date_order_for_time_zone("America/New_York") == DateOrder::mdy);
  CHECK(tinhop::date_order_for_time_zone("Europe/Paris") == DateOrder::dmy);
  CHECK(tinhop::date_order_for_time_zone("UTC") == DateOrder::automatic);
  CHECK(tinhop::date_order_for_time_zone("Etc/GMT-7") == DateOrder::automatic);
  CHECK(tinhop::date_order_for_time_zone("Asia/Nowhere") == DateOrder::automatic);

  CHECK(tinhop::date_order_for_url("https://vietnamnet.vn/rss/phap-luat.rss") == DateOrder::dmy);
  CHECK(tinhop::date_order_for_url("https://baochinhphu.VN./kinh-te.rss") == DateOrder::dmy);
  CHECK(tinhop::date_order_for_url("https://www.sggp.org.vn/rss/kinh-te-89.rss") == DateOrder::dmy);
  CHECK(tinhop::date_order_for_url("https://www.bbc.co.uk/news") == DateOrder::dmy);
  CHECK(tinhop::date_order_for_url("https://news.gov.ph/feed") == DateOrder::mdy);
  CHECK(tinhop::date_order_for_url("https://example.com/feed") == DateOrder::automatic);
  CHECK(tinhop::date_order_for_url("https://startup.io/feed") == DateOrder::automatic);  // used generically
  CHECK(tinhop::date_order_for_url("https://channel.tv/feed") == DateOrder::automatic);
  CHECK(tinhop::date_order_for_url("http://127.0.0.1:8080/feed") == DateOrder::automatic);
  CHECK(tinhop::date_order_for_url("http://localhost/feed") == DateOrder::automatic);
  CHECK(tinhop::date_order_for_url("feed.xml") == DateOrder::automatic);
  CHECK(tinhop::date_order_for_url("") == DateOrder::automatic);
}

TEST_CASE("an undecided date order is taken from what is known of the source, in turn", "[date]") {
  using tinhop::DateOrderBasis;
  using tinhop::DateOrderDecision;
  using V = std::vector<std::string_view>;
  const V ambiguous{"08/09/2018 (GMT+7)", "07/09/2018 (GMT+7)"};
  tinhop::ParseContext context;  // UTC, no URL: nothing known
  CHECK(tinhop::decide_date_order(ambiguous, context, "") ==
        DateOrderDecision{DateOrder::automatic, DateOrderBasis::undecided});
  // The weakest hint first: each one below is overruled by the one added after it.
  context.url = "https://vietnamnet.vn/rss/phap-luat.rss";
  CHECK(tinhop::decide_date_order(ambiguous, context, "") ==
        DateOrderDecision{DateOrder::dmy, DateOrderBasis::domain});
  context.time_zone = "America/New_York";
  CHECK(tinhop::decide_date_order(ambiguous, context, "") ==
        DateOrderDecision{DateOrder::mdy, DateOrderBasis::time_zone});
  context.content_language = "vi-VN, en";
  CHECK(tinhop::decide_date_order(ambiguous, context, "") ==
        DateOrderDecision{DateOrder::dmy, DateOrderBasis::language});
  CHECK(tinhop::decide_date_order(ambiguous, context, "en-US") ==
        DateOrderDecision{DateOrder::mdy, DateOrderBasis::language});
  CHECK(tinhop::decide_date_order(ambiguous, context, "ja") ==  // no d/m/y custom: the header's
        DateOrderDecision{DateOrder::dmy, DateOrderBasis::language});
  context.learned_date_order = DateOrder::dmy;
  CHECK(tinhop::decide_date_order(ambiguous, context, "en-US") ==
        DateOrderDecision{DateOrder::dmy, DateOrderBasis::history});
  CHECK(tinhop::decide_date_order(V{"08/09/2018", "09/13/2018"}, context, "") ==
        DateOrderDecision{DateOrder::mdy, DateOrderBasis::document});
  context.date_order = DateOrder::mdy;
  CHECK(tinhop::decide_date_order(V{"08/09/2018", "25/09/2018"}, context, "") ==
        DateOrderDecision{DateOrder::mdy, DateOrderBasis::configured});
  // Dates with no all-numeric form need no order.
  tinhop::ParseContext plain;
  CHECK(tinhop::decide_date_order(V{"Sat, 08 Sep 2018 10:00:00 +0700", "2018-09-08"}, plain, "") ==
        DateOrderDecision{});
}

TEST_CASE("a VietNamNet-style feed gets its dates from the source's time zone or domain", "[date][feed]") {
  // Every day and month at most 12, no <language>: the document cannot tell.
  const std::string xml =
      "<rss version=\"2.0\"><channel><title>VietNamNet</title>"
      "<item><title>a</title><pubDate>08/09/2018 (GMT+7)</pubDate></item>"
      "<item><title>b</title><pubDate>07/09/2018 (GMT+7)</pubDate></item>"
      "<item><title>c</title><pubDate>Sat, 08 Sep 2018 09:00:00 +0700</pubDate></item>"
      "</channel></rss>";
  const auto parse = [&](const char* url, const char* zone) {
    tinhop::ParseContext context;
    context.url = url;
    context.time_zone = zone;
    const tinhop::ParseOutcome outcome = tinhop::parse_feed(xml, context);
    REQUIRE(outcome);
    return outcome.result();
  };
  const auto dates = [](const tinhop::ParseResult& result) {
    std::vector<std::string> out;
    for (const tinhop::Item& item : result.feed.items)
      out.push_back(item.published ? tinhop::format_rfc3339(*item.published) : "null");
    return out;
  };
  const auto by_zone = parse("http://127.0.0.1:8080/rss", "Asia/Ho_Chi_Minh");
  CHECK(dates(by_zone) ==
        std::vector<std::string>{"2018-09-07T17:00:00Z", "2018-09-06T17:00:00Z", "2018-09-08T02:00:00Z"});
  CHECK(by_zone.date_order == tinhop::DateOrderDecision{DateOrder::dmy, tinhop::DateOrderBasis::time_zone});
  CHECK(by_zone.dates_not_understood == 0);
  CHECK(by_zone.warnings.empty());
  const auto by_domain = parse("https://vietnamnet.vn/rss/phap-luat.rss", "UTC");
  CHECK(dates(by_domain) ==
        std::vector<std::string>{"2018-09-07T17:00:00Z", "2018-09-06T17:00:00Z", "2018-09-08T02:00:00Z"});
  CHECK(by_domain.date_order == tinhop::DateOrderDecision{DateOrder::dmy, tinhop::DateOrderBasis::domain});
  const auto unknown = parse("http://127.0.0.1:8080/rss", "UTC");
  CHECK(dates(unknown) == std::vector<std::string>{"null", "null", "2018-09-08T02:00:00Z"});
  CHECK(unknown.date_order ==
        tinhop::DateOrderDecision{DateOrder::automatic, tinhop::DateOrderBasis::undecided});
  CHECK(unknown.dates_not_understood == 2);
}

TEST_CASE("parse_date_format reads a source's own layout", "[date]") {
  const auto read = [](const char* text, const char* format, const DateContext& c = vn) -> std::string {
    const auto parsed = tinhop::parse_date_format(text, format, c);
    return parsed ? utc(parsed->instant) : "not understood";
  };
  CHECK(read("02/08/2019 08:15", "%d/%m/%Y %H:%M") == "2019-08-02T01:15:00Z");
  CHECK(read("02/08/2019   08:15", "%d/%m/%Y %H:%M") == "2019-08-02T01:15:00Z");
  CHECK(read("08-02-19", "%m-%d-%y") == "2019-08-01T17:00:00Z");
  CHECK(read("Ngày 02 tháng 08 năm 2019", "Ngày %d tháng %m năm %Y") == "2019-08-01T17:00:00Z");
  CHECK(read("NGÀY 2 THÁNG 8 NĂM 2019", "ngày %d tháng %m năm %Y") == "2019-08-01T17:00:00Z");
  CHECK(read("9/14/2026 6:44:00\u202FPM", "%m/%d/%Y %I:%M:%S %p") == "2026-09-14T11:44:00Z");
  CHECK(read("14 Sep 2026 09:13 +0700", "%d %b %Y %H:%M %z", utc_auto) == "2026-09-14T02:13:00Z");
  CHECK(read("14 Sep 2026 09:13 GMT+7", "%d %b %Y %H:%M %z", utc_auto) == "2026-09-14T02:13:00Z");
  CHECK(read("100% 02/08/2019", "100%% %d/%m/%Y") == "2019-08-01T17:00:00Z");
  CHECK(read("02/08/2019 08:15 extra", "%d/%m/%Y %H:%M") == "not understood");
  CHECK(read("02/13/2019", "%d/%m/%Y") == "not understood");
  CHECK(read("02/08/2019 6:44", "%d/%m/%Y %I:%M") == "not understood");  // %I needs %p
  CHECK(read("02/08/2019", "%d/%m/%Q") == "not understood");
  CHECK(read("02/08/2019", "") == "not understood");
  CHECK(read("02/08/2019", "%d/%m/%Y%") == "not understood");
}

TEST_CASE("dates: RFC 822 as feeds write it is read directly to what the general reader gives") {
  // parse_date reads "Sat, 02 Aug 2019 10:30:00 +0700" without folding or tokens, and
  // leaves anything else (a leading space included) to the general forms: the same text
  // behind a space therefore takes the general path, and both must agree, for valid and
  // invalid fields alike.
  const auto read = parse_date("Sat, 02 Aug 2019 10:30:00 +0700", vn);
  REQUIRE(read.has_value());
  CHECK(utc(read->instant) == "2019-08-02T03:30:00Z");
  CHECK(read->had_zone);
  CHECK_FALSE(read->approximate);
  CHECK(utc(parse_date("2 aug 2019 9:05 GMT", vn)->instant) == "2019-08-02T09:05:00Z");
  CHECK_FALSE(parse_date("Sat, 31 Feb 2019 10:30:00 +0700", vn).has_value());

  std::uint64_t state = 0x9E3779B97F4A7C15ULL;
  const auto next = [&](std::uint64_t bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<int>((state >> 33U) % bound);
  };
  const auto random_case = [&](std::string word) {
    for (char& c : word)
      if (next(2) == 0 && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return word;
  };
  const auto number = [&](int value, bool pad) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, pad ? "%02d" : "%d", value);
    return std::string(buffer);
  };
  const std::vector<std::string> weekdays = {"", "", "sat", "thu", "sun", "monday", "xyz", "t2"};
  const std::vector<std::string> months = {"jan", "feb", "may", "aug", "sep", "dec", "abc", "sept", "june"};
  const std::vector<std::string> zones = {"+0700",  "-0500", "+1400", "+1500", "+0760", "-0000",
                                          "gmt",    "ut",    "utc",   "z",     "est",   "ict",
                                          "+07:00", "a",     "+07",   "j",     "",      "+70000"};
  std::size_t compared = 0;
  std::size_t understood = 0;
  for (int i = 0; i < 60000; ++i) {
    std::string text;
    const std::string weekday = weekdays[static_cast<std::size_t>(next(weekdays.size()))];
    if (!weekday.empty()) text += random_case(weekday) + (next(8) == 0 ? " " : ", ");
    text += number(next(33), next(2) == 0) + " ";
    text += random_case(months[static_cast<std::size_t>(next(months.size()))]) + " ";
    text += (next(10) == 0 ? std::to_string(next(1000)) : std::to_string(1960 + next(150))) + " ";
    text += number(next(26), next(2) == 0) + ":" + number(next(62), true);
    if (next(3) != 0) text += ":" + number(next(62), true);
    const std::string zone = zones[static_cast<std::size_t>(next(zones.size()))];
    if (!zone.empty()) text += " " + random_case(zone);
    INFO(text);
    const auto direct = parse_date(text, vn);
    const auto general = parse_date(" " + text, vn);
    REQUIRE(direct.has_value() == general.has_value());
    if (direct) {
      REQUIRE(direct->instant == general->instant);
      REQUIRE(direct->had_zone == general->had_zone);
      REQUIRE(direct->approximate == general->approximate);
      ++understood;
    }
    ++compared;
  }
  CHECK(compared == 60000);
  CHECK(understood > 10000);  // the comparison covers dates read, not only refusals
}
