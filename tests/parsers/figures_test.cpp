#include <catch2/catch.hpp>

#include "tinhop/parsers/figures.hpp"

using namespace tinhop;

namespace {
Figures title(std::string_view text) {
  return figures_of(text, "");
}
}  // namespace

TEST_CASE("a text without figures has an empty set, and unknown figures agree with anything") {
  // Four empty 15-bit slots, no flag.
  CHECK(title("Thủ tướng chủ trì hội nghị").bits == 0x0FFF'FFFF'FFFF'FFFFULL);
  CHECK(figures_of("", "").bits == 0x0FFF'FFFF'FFFF'FFFFULL);
  CHECK_FALSE(contradict(Figures{}, title("Giá vàng sáng 15/9")));
  CHECK_FALSE(contradict(title("Giá vàng sáng 15/9"), Figures{}));
}

TEST_CASE("a date is one figure in every way it is written") {
  const Figures date = title("Giá vàng sáng 15/9");
  CHECK(date != title("Giá vàng sáng nay"));
  for (const char* written :
       {"Giá vàng sáng 15-9", "Giá vàng 15.9.2024", "Giá vàng 15/09/2024", "Giá vàng 15/9/24",
        "Giá vàng ngày 15 tháng 9", "Giá vàng Ngày 15 Tháng 9 năm 2024", "GIÁ VÀNG NGÀY 15 THÁNG 9",
        "Giá vàng 2024-09-15", "Giá vàng 15/9 năm 2024", "Giá vàng sáng 15/9/2024:"}) {
    INFO(written);
    CHECK(title(written) == date);
  }
  CHECK(title("Giá vàng 14/9") != date);
  CHECK(title("Giá vàng 9/15") != date);  // not a date (no month 15): another figure
  // A month alone, however written.
  CHECK(title("Xuất khẩu tháng 9") == title("Xuất khẩu tháng 9/2024"));
  CHECK(title("Xuất khẩu tháng 9") == title("Xuất khẩu 9/2024"));
  CHECK(title("Xuất khẩu tháng 9") != date);
}

TEST_CASE("an amount is one figure whatever its grouping, decimal mark and unit") {
  const Figures amount = title("Thanh khoản 1.234,5 tỷ đồng");
  for (const char* written : {"Thanh khoản 1,234.5 tỷ", "Thanh khoản 1234,5 tỉ",
                              "thanh khoản 1.234.500 triệu", "thanh khoản 1,2345 nghìn tỷ"}) {
    INFO(written);
    CHECK(title(written) == amount);
  }
  CHECK(title("500 tỷ") == title("500.000 triệu"));
  CHECK(title("500 tỷ") == title("0,5 nghìn tỷ"));
  CHECK(title("500 tỷ") != title("500"));
  CHECK(title("tăng 200.000 đồng") == title("tăng 200 nghìn đồng"));
  CHECK(title("tăng 200.000 đồng") == title("tăng 200,000 đồng"));
  CHECK(title("tăng 200.000 đồng") == title("tăng 200.000đ"));
  CHECK(title("tăng 200.000 đồng") == title("tăng 200k"));
  CHECK(title("tăng 1.5 tỷ") == title("tăng 1,5 tỷ"));  // a dot before a unit is a decimal mark, not a date
  CHECK(title("giá 2.500") == title("giá 2500"));
  CHECK(title("giá 2,5") != title("giá 2500"));
  CHECK(title("giá 0,500") == title("giá 0,5"));
}

TEST_CASE("a percentage is its own figure, written with a comma, a dot or in words") {
  const Figures rate = title("Lãi suất 3,5%");
  for (const char* written :
       {"Lãi suất 3.5%", "Lãi suất 3,5 %", "Lãi suất 3,50%", "Lãi suất 3,5 phần trăm"}) {
    INFO(written);
    CHECK(title(written) == rate);
  }
  CHECK(title("Lãi suất 3,5") != rate);
  CHECK(title("Lãi suất 3,6%") != rate);
}

TEST_CASE("numbers that are part of a name, a time of day or a code are not figures") {
  const Figures none = title("Việt Nam thắng");
  for (const char* written : {"U23 Việt Nam thắng", "Việt Nam thắng lúc 8h30", "Việt Nam thắng 14:00",
                              "COVID-19 Việt Nam thắng", "Việt Nam thắng mạng 5G"}) {
    INFO(written);
    CHECK(title(written) == none);
  }
}

TEST_CASE("next-day templates contradict; trimmed and respelt copies do not") {
  CHECK(contradict(title("Giá vàng sáng 15/9: SJC tăng mạnh"), title("Giá vàng sáng 14/9: SJC tăng mạnh")));
  CHECK(contradict(title("Chứng khoán ngày 15/9: thanh khoản 500 tỷ"),
                   title("Chứng khoán ngày 14/9: thanh khoản 812 tỷ")));
  // Same day, another amount or rate.
  CHECK(contradict(title("Chứng khoán 15/9: thanh khoản 500 tỷ"),
                   title("Chứng khoán 15/9: thanh khoản 812 tỷ")));
  CHECK(contradict(title("Lãi suất tăng lên 5,5%"), title("Lãi suất tăng lên 5,8%")));
  CHECK(contradict(title("Bão số 3 đổ bộ"), title("Bão số 4 đổ bộ")));

  CHECK_FALSE(contradict(title("Chứng khoán 15/9: VN-Index tăng 12 điểm, thanh khoản 500 tỷ"),
                         title("Chứng khoán 15/9: VN-Index tăng 12 điểm")));
  CHECK_FALSE(
      contradict(title("Giá vàng sáng 15/9: SJC tăng 200.000 đồng"), title("Giá vàng: SJC tăng mạnh")));
  CHECK_FALSE(contradict(title("Giá vàng ngày 15 tháng 9: SJC tăng 200 nghìn đồng"),
                         title("Giá vàng 15/09/2024: SJC tăng 200.000đ")));
  // Figures in different roles never meet: a date against an amount.
  CHECK_FALSE(contradict(title("Giá vàng 15/9"), title("Giá vàng tăng 3%")));
}

TEST_CASE("only the dates of a lead's first sentence count, apart from the title's") {
  const Figures lead15 =
      figures_of("Giá vàng hôm nay", "Sáng 15/9, giá vàng SJC tăng 200.000 đồng. Hôm qua 14/9");
  CHECK(lead15 == figures_of("Giá vàng hôm nay", "Sáng ngày 15 tháng 9, vàng tăng 1,5%"));
  CHECK(contradict(lead15, figures_of("Giá vàng hôm nay", "Sáng 16/9, giá vàng SJC giảm.")));
  CHECK_FALSE(contradict(lead15, figures_of("Giá vàng hôm nay", "Giá vàng SJC tăng mạnh.")));
  // A lead's date is not a title's date.
  CHECK_FALSE(contradict(lead15, title("Giá vàng 16/9")));
  CHECK(figures_of("Tin", "Giá tăng 200.000 đồng, 3%.") == title("Tin"));
  // A numeral at the cut of a long lead is not read in half.
  const std::string long_lead = std::string(236, 'a') + " 15/9 sau";
  CHECK(figures_of("Tin", long_lead) == title("Tin"));
}

TEST_CASE("past four figures the smallest are kept and only the roles they hold whole are compared") {
  const Figures many = title("Ngày 15/9: 1 2 3 4 5 6");
  CHECK((many.bits >> 60) == 1);  // truncated
  CHECK_FALSE(contradict(many, title("Ngày 15/9: 6")));
  CHECK(contradict(many, title("Ngày 14/9: 1 2 3 4 5 6")));  // dates sort first: that role is whole
}
