// Every real Vietnamese feed sample in ../shared/corpus/real-vi/ (see SOURCES.md there),
// parsed as the daemon would: source zone Asia/Ho_Chi_Minh, the source's date order.
#include <catch2/catch.hpp>

#include "feed_support.hpp"
#include "support/paths.hpp"
#include "tinhop/parsers/text.hpp"

namespace {

struct Sample {
  const char* file;
  tinhop::DateOrder order;
  std::size_t items;
  std::optional<std::string> first_title;
  std::optional<std::string> first_link;
  std::optional<std::string> first_published;
  std::optional<std::string> last_link;
  std::optional<std::string> last_published;
  std::optional<std::string> first_thumbnail;
  std::size_t warnings;
};

// clang-format off
const Sample samples[] = {
    {"baochinhphu-kinh-te-2026-09-14.trimmed.xml", tinhop::DateOrder::automatic, 2, "Cửa khẩu số hóa, doanh nghiệp thêm lựa chọn thanh toán CNY từ Techcombank", "https://baochinhphu.vn/cua-khau-so-hoa-doanh-nghiep-them-lua-chon-thanh-toan-cny-tu-techcombank-102260914184713458.htm", "2026-09-14T11:44:00Z", "https://baochinhphu.vn/vietjet-va-thales-mo-rong-hop-tac-hang-khong-cong-nghe-cao-viet-nam-phap-102260913200100000.htm", "2026-09-13T13:01:00Z", std::nullopt, 0},
    {"cafef-tai-chinh-ngan-hang-2026-09-14.trimmed.xml", tinhop::DateOrder::automatic, 2, "Techcombank Summit 2026: Động lực mới vì một Việt Nam hưng thịnh, hùng cường", "https://cafef.vn/techcombank-summit-2026-dong-luc-moi-vi-mot-viet-nam-hung-thinh-hung-cuong-188260913194241384.chn", "2026-09-14T01:00:00Z", "https://cafef.vn/gia-vang-mieng-vang-nhan-tron-ngay-14-9-tai-sjc-doji-pnj-bao-tin-minh-chau-phu-quy-188260914064917189.chn", "2026-09-14T00:23:00Z", std::nullopt, 0},
    {"dantri-kinh-doanh-2026-09-14.trimmed.xml", tinhop::DateOrder::automatic, 2, "Lãnh đạo ngân hàng, công ty chứng khoán nối tiếp làn sóng mua vào cổ phiếu", "https://dantri.com.vn/kinh-doanh/lanh-dao-ngan-hang-cong-ty-chung-khoan-noi-tiep-lan-song-mua-vao-co-phieu-20260914101845023.htm", "2026-09-14T07:18:47Z", "https://dantri.com.vn/kinh-doanh/muon-go-global-nha-may-tai-bac-ninh-phai-lam-gi-20260910084857984.htm", "2026-09-10T01:48:57Z", std::nullopt, 0},
    {"nguoiquansat-trang-chu-2026-09-24.xml", tinhop::DateOrder::automatic, 2, "Việt Nam sẽ xây dựng cầu dây văng 2 tầng hơn 27.000 tỷ kết nối 2 tỉnh thành Đồng bằng sông Cửu Long", "https://nguoiquansat.vn/viet-nam-se-xay-dung-cau-day-vang-2-tang-hon-27-000-ty-ket-noi-2-tinh-thanh-dong-bang-song-cuu-long-318112.html", "2026-09-24T01:30:01Z", "https://nguoiquansat.vn/chi-520-000-ty-dong-bien-hon-dao-rong-hon-5-trieu-m2-thanh-sieu-do-thi-uoc-tinh-tao-ra-40-000-viec-lam-318137.html", "2026-09-24T01:21:01Z", "https://nqs.1cdn.vn/2026/09/23/6603_anh-man-hinh-2026-09-23-luc-10.08.43.png", 0},
    {"nhandan-kinhte-2026-09-14.trimmed.xml", tinhop::DateOrder::automatic, 2, "Tăng cường năng lực hỗ trợ hội nhập tài chính ASEAN", "https://nhandan.vn/tang-cuong-nang-luc-ho-tro-hoi-nhap-tai-chinh-asean-post988500.html", "2026-09-14T11:48:23Z", "https://nhandan.vn/chung-khoan-ngay-149-vn-index-tiep-tuc-giam-khoi-ngoai-dao-chieu-mua-rong-hon-812-ty-dong-post988510.html", "2026-09-14T11:31:08Z", std::nullopt, 0},
    {"sggp-kinh-te-2026-09-24.xml", tinhop::DateOrder::automatic, 2, "Mưa lớn, nhiều tuyến đường TPHCM ngập nặng", "https://www.sggp.org.vn/mua-lon-nhieu-tuyen-duong-tphcm-ngap-nang-post873017.html", "2026-09-23T10:02:29Z", "https://www.sggp.org.vn/khoi-ngoai-dao-chieu-ban-rong-vn-index-van-tru-tren-1800-diem-post873033.html", "2026-09-23T09:42:46Z", "https://image.sggp.org.vn/600x315/Uploaded/2026/squycgmv/2026_09_23/ngap-duong-dinh-bo-linh-anh-kien-cuong-3970-6959.jpg.webp", 0},
    {"thanhnien-kinh-te-2026-09-14.trimmed.xml", tinhop::DateOrder::automatic, 2, "Đề xuất giảm 30% thuế ngay trong kỳ kê khai với hộ có doanh thu dưới 10 tỉ đồng", "https://thanhnien.vn/de-xuat-giam-30-thue-ngay-trong-ky-ke-khai-voi-ho-co-doanh-thu-duoi-10-ti-dong-18526091408451471.htm", "2026-09-14T02:13:00Z", "https://thanhnien.vn/nguoi-nop-thue-can-chu-y-10-trang-thai-ma-so-thue-185260914085802219.htm", "2026-09-14T02:10:00Z", std::nullopt, 0},
    {"tienphong-kinh-te-2026-09-14.trimmed.xml", tinhop::DateOrder::automatic, 2, "Xuất hiện tin rao bán khách sạn Daewoo, Bông Sen Corp đang gồng lỗ gần 3.800 tỷ", "https://tienphong.vn/xuat-hien-tin-rao-ban-khach-san-daewoo-bong-sen-corp-dang-gong-lo-gan-3800-ty-post1876193.tpo", "2026-09-14T07:54:42Z", "https://tienphong.vn/tang-toc-lap-ray-tau-dien-dau-tien-o-phu-quoc-post1876156.tpo", "2026-09-14T07:21:27Z", std::nullopt, 0},
    {"tuoitre-kinh-doanh-2026-09-14.trimmed.xml", tinhop::DateOrder::automatic, 2, "Chứng khoán tuần mới: Trước thềm nâng hạng, VN-Index sẽ còn rung lắc mạnh?", "https://tuoitre.vn/chung-khoan-tuan-moi-truoc-them-nang-hang-vn-index-se-con-rung-lac-manh-100260914003203375.htm", "2026-09-14T00:37:00Z", "https://tuoitre.vn/doanh-nghiep-duoc-scic-rao-ngan-ti-nam-loat-dat-vang-o-tphcm-co-lo-3-mat-tien-dong-khoi-100260914000735845.htm", "2026-09-13T18:22:00Z", std::nullopt, 0},
    {"tuoitre-kinh-doanh-2026-09-16.trimmed.xml", tinhop::DateOrder::automatic, 2, "Thương hiệu tôi yêu: Gửi chiếc áo vào áng mây trời", "https://tuoitre.vn/thuong-hieu-toi-yeu-gui-chiec-ao-vao-ang-may-troi-100260915154436549.htm", "2026-09-16T03:30:00Z", "https://tuoitre.vn/an-giang-can-gan-7000-ti-dong-lam-18-du-an-bo-ke-chong-sat-lo-bo-song-100260916095011983.htm", "2026-09-16T15:17:00Z", std::nullopt, 0},
    {"vietnambiz-tai-chinh-2026-09-15-utf16-decl.trimmed.xml", tinhop::DateOrder::automatic, 2, "Tỷ giá euro ngày 15/9: Euro tiếp tục mất giá, thị trường chờ tín hiệu hồi phục", "https://vietnambiz.vn/ty-gia-euro-ngay-159-euro-tiep-tuc-mat-gia-thi-truong-cho-tin-hieu-hoi-phuc-2026915915351.htm", "2026-09-15T02:02:15Z", "https://vietnambiz.vn/abbank-cong-bo-bien-dong-so-huu-co-them-mot-co-dong-to-chuc-nam-hon-2-von-dieu-le-2026914172340660.htm", "2026-09-14T10:36:27Z", std::nullopt, 1},
    {"vietnamnet-kinh-doanh-2026-09-24.xml", tinhop::DateOrder::automatic, 2, "Lãi suất ngân hàng hôm nay 24/9/2026: Thận trọng với lời chào lãi suất 14%/năm", "https://vietnamnet.vn/lai-suat-ngan-hang-hom-nay-24-9-2026-than-trong-voi-loi-chao-lai-suat-14-nam-2558301.html", "2026-09-24T02:13:34Z", "https://vietnamnet.vn/truong-phong-luong-hon-42-trieu-phai-tra-lai-222-trieu-tien-thuong-vi-nghi-som-2558264.html", "2026-09-24T02:06:49Z", "https://static-images.vnncdn.net/vps_images_publish/000001/000003/2026/9/24/nam-364.jpg?width=0&s=2gBWobJyCLke8HOhd-68iw", 0},
    {"vietnamnet-phap-luat-2018-09-08.xml", tinhop::DateOrder::dmy, 15, "Đại gia nào bỏ nghìn đô mua dâm hoa hậu, á khôi, người mẫu?", "http://vietnamnet.vn/vn/phap-luat/ho-so-vu-an/dai-gia-nao-bo-nghin-do-mua-dam-hoa-hau-a-khoi-nguoi-mau-475514.html", "2018-09-07T17:00:00Z", "http://vietnamnet.vn/vn/phap-luat/ho-so-vu-an/chem-nguoi-bat-thanh-nem-dan-phao-vao-nha-doi-thu-de-de-doa-475351.html", "2018-09-06T17:00:00Z", "https://vnn-imgs-f.vgcloud.vn/2018/09/07/18/dai-gia-nao-bo-nghin-do-mua-dam-hoa-hau-a-khoi-nguoi-mau.jpg", 0},
    {"vietnamplus-kinhte-2026-09-14.trimmed.xml", tinhop::DateOrder::automatic, 2, "Thị trường vốn Việt Nam: Từ nâng hạng chỉ số đến đạt chuẩn đầu tư", "https://www.vietnamplus.vn/thi-truong-von-viet-nam-tu-nang-hang-chi-so-den-dat-chuan-dau-tu-post1136134.vnp", "2026-09-14T12:44:41Z", "https://www.vietnamplus.vn/gia-dau-vuot-107-usd-moi-thung-va-3-kich-ban-cho-kinh-te-vi-mo-post1136140.vnp", "2026-09-14T12:37:48Z", std::nullopt, 0},
    {"vietstock-tin-moi-2026-09-14.trimmed.xml", tinhop::DateOrder::automatic, 2, "Theo dấu dòng tiền cá mập 14/09: Khối ngoại mua ròng trên 800 tỷ, tự doanh giao dịch cân bằng", "http://vietstock.vn/2026/09/theo-dau-dong-tien-ca-map-1409-khoi-ngoai-mua-rong-tren-800-ty-tu-doanh-giao-dich-can-bang-830-1492261.htm", "2026-09-14T12:14:53Z", "http://vietstock.vn/2026/09/con-trai-chu-tich-msb-hoan-tat-mua-20-trieu-cp-739-1492102.htm", "2026-09-14T12:12:26Z", std::nullopt, 0},
    {"vneconomy-tai-chinh-2026-09-14.trimmed.xml", tinhop::DateOrder::automatic, 2, "Hai câu hỏi lớn về cuộc họp tuần này của Fed", "https://vneconomy.vn/hai-cau-hoi-lon-ve-cuoc-hop-tuan-nay-cua-fed.htm", "2026-09-14T03:55:37Z", "https://vneconomy.vn/sap-dien-ra-techcombank-investment-summit-2026-hoi-nghi-dau-tu-quoc-te-thuong-nien.htm", "2026-09-14T02:21:53Z", std::nullopt, 0},
    {"vnexpress-intl-business-2026-09-24.xml", tinhop::DateOrder::automatic, 2, "Thailand bears Southeast Asia's second heaviest economic cost from air pollution, behind Indonesia", "https://e.vnexpress.net/news/business/economy/thailand-bears-southeast-asia-s-second-heaviest-economic-cost-from-air-pollution-behind-indonesia-5123815.html", "2026-09-23T22:00:00Z", "https://e.vnexpress.net/news/business/companies/vinspeed-of-southeast-asia-s-richest-man-pham-nhat-vuong-signs-1-1b-deal-with-german-rail-giant-siemens-mobility-5123623.html", "2026-09-23T07:09:40Z", "https://i1-english.vnecdn.net/2026/09/23/LYETHIDGSZOYPJWOB7O4JFK5HI1777-7167-9543-1790150568.webp?w=900&h=0&q=100&dpr=1&fit=crop&s=Dn2YJDL65BQn0NjGKHrx6A", 0},
    {"vnexpress-kinh-doanh-2026-09-14.edited.xml", tinhop::DateOrder::automatic, 3, "Lựu 'khổng lồ' Trung Quốc gắn mác hàng Thái, Đà Lạt", "https://vnexpress.net/luu-khong-lo-trung-quoc-gan-mac-hang-thai-da-lat-5117454.html", "2026-09-14T02:43:55Z", "https://vnexpress.net/gia-vang-duoc-du-bao-tang-tro-lai-vao-cuoi-nam-5119580.html?utm_source=rss&utm_medium=rss", "2026-09-13T17:03:00Z", std::nullopt, 0},
    {"vnexpress-the-gioi-2025-02-06.xml", tinhop::DateOrder::automatic, 1, "Israel nối gót Mỹ rời Hội đồng Nhân quyền LHQ", "https://vnexpress.net/israel-noi-got-my-roi-hoi-dong-nhan-quyen-lhq-4846612.html", "2025-02-06T13:30:48Z", "https://vnexpress.net/israel-noi-got-my-roi-hoi-dong-nhan-quyen-lhq-4846612.html", "2025-02-06T13:30:48Z", "https://i1-vnexpress.vnecdn.net/2025/02/06/afp-20250123-36vm3wf-v1-highre-6597-7613-1738846835.jpg?w=1200&h=0&q=100&dpr=1&fit=crop&s=EZLAecVUZhLBSg818oeXbA", 1},
    {"vnexpress-tin-moi-nhat-2017-07-26.xml", tinhop::DateOrder::automatic, 25, "Một tuần Hà Nội có 1.400 người bệnh sốt xuất huyết vào viện", "http://suckhoe.vnexpress.net/tin-tuc/suc-khoe/mot-tuan-ha-noi-co-1-400-nguoi-benh-sot-xuat-huyet-vao-vien-3618863.html", "2017-07-26T12:41:14Z", "http://vnexpress.net/tin-tuc/cong-dong/video/tai-xe-mo-cua-oto-hat-nguoi-di-xe-may-nga-xuong-duong-3617899.html", "2017-07-26T10:14:35Z", "https://i-suckhoe.vnecdn.net/2017/07/26/sotxuathuyet2671-1501066281_180x108.jpg", 0},
    {"vnexpress-tin-moi-nhat-2017-11-14-browser-copy.xml", tinhop::DateOrder::automatic, 24, "Con hẻm trăm tuổi ở Sài Gòn nhiều lần lên phim TVB 4", "https://dulich.vnexpress.net/tin-tuc/test-folder/con-hem-tram-tuoi-o-sai-gon-nhieu-lan-len-phim-tvb-4-3670446.html", "2017-11-14T10:42:01Z", "https://giaitri.vnexpress.net/photo/lang-nhac/duong-hoang-yen-va-ha-anh-hat-tren-pho-di-bo-nguyen-hue-3670262.html", "2017-11-14T09:28:56Z", "https://i-dulich.vnecdn.net/2017/11/14/DSC40331510626266500x300-15106-5307-4645-1510653013_180x108.jpg", 1},
    {"vov-kinh-te-2026-09-14.trimmed.xml", tinhop::DateOrder::automatic, 2, "Hướng dẫn giới kinh doanh vàng đá quý phòng, chống rửa tiền, tài trợ khủng bố", "https://vov.vn/kinh-te/huong-dan-gioi-kinh-doanh-vang-da-quy-phong-chong-rua-tien-tai-tro-khung-bo-post1332614.vov", "2026-09-14T12:42:39Z", "https://vov.vn/kinh-te/cuc-thue-yeu-cau-khong-them-thu-tuc-khi-doanh-nghiep-dong-ma-so-thue-post1332634.vov", "2026-09-14T11:43:55Z", std::nullopt, 0},
    {"vtv-kinh-te-2026-09-14.trimmed.xml", tinhop::DateOrder::automatic, 2, "EU xây dựng cơ chế chung kiểm soát áp lực nhà ở", "https://vtv.vn/eu-xay-dung-co-che-chung-kiem-soat-ap-luc-nha-o-100260914145754408.htm", "2026-09-14T12:46:22Z", "https://vtv.vn/cong-nghiep-duy-tri-da-tang-tao-dong-luc-cho-tang-truong-100260914153200000.htm", "2026-09-14T08:32:00Z", std::nullopt, 0},
    {"znews-kinh-doanh-2026-09-14.trimmed.xml", tinhop::DateOrder::automatic, 2, "Ông Bùi Cao Nhật Quân đứng ra bảo lãnh khoản vay 360 tỷ cho Novaland", "https://znews.vn/ong-bui-cao-nhat-quan-dung-ra-bao-lanh-khoan-vay-360-ty-cho-novaland-post1683108.html", "2026-09-14T07:53:20Z", "https://znews.vn/thua-ke-doanh-nghiep-gia-dinh-ap-luc-cua-f1-va-cai-bong-cua-f0-post1683109.html", "2026-09-14T07:17:58Z", std::nullopt, 0},
};
// clang-format on

tinhop::ParseResult parse_sample(const std::filesystem::path& dir, const Sample& sample) {
  tinhop::ParseContext context;
  context.time_zone = "Asia/Ho_Chi_Minh";
  context.date_order = sample.order;
  return tinhop::test::parse_ok(tinhop::test::read_file(dir / sample.file), context);
}

bool all_nfc(const tinhop::Feed& feed) {
  const auto nfc = [](const std::optional<std::string>& text) {
    return !text || tinhop::to_nfc(*text) == *text;
  };
  bool ok = nfc(feed.title) && nfc(feed.description);
  for (const tinhop::Item& item : feed.items) {
    ok = ok && nfc(item.title) && nfc(item.summary) && nfc(item.content) && nfc(item.link);
    for (const tinhop::Author& author : item.authors) ok = ok && nfc(author.name);
  }
  return ok;
}

}  // namespace

TEST_CASE("Real Vietnamese feeds: items, UTC dates, links and thumbnails", "[real-vi]") {
  TINHOP_REQUIRE_SHARED(dir, "corpus/real-vi");
  for (const Sample& sample : samples) {
    INFO(sample.file);
    const tinhop::ParseResult result = parse_sample(dir, sample);
    const tinhop::Feed& feed = result.feed;
    CHECK(feed.format == tinhop::FeedFormat::rss20);
    CHECK(feed.encoding == "utf-8");
    REQUIRE(feed.items.size() == sample.items);
    CHECK(feed.items.front().title == sample.first_title);
    CHECK(feed.items.front().link == sample.first_link);
    CHECK(tinhop::test::utc(feed.items.front().published) == sample.first_published.value_or("null"));
    CHECK(feed.items.back().link == sample.last_link);
    CHECK(tinhop::test::utc(feed.items.back().published) == sample.last_published.value_or("null"));
    CHECK(feed.items.front().thumbnail == sample.first_thumbnail);
    CHECK(result.warnings.size() == sample.warnings);
    CHECK(all_nfc(feed));
  }
}

TEST_CASE("Real feeds: the quirks SOURCES.md describes are handled", "[real-vi]") {
  TINHOP_REQUIRE_SHARED(dir, "corpus/real-vi");
  const auto parse = [&](const char* file) {
    tinhop::ParseContext context;
    context.time_zone = "Asia/Ho_Chi_Minh";
    return tinhop::test::parse_ok(tinhop::test::read_file(dir / file), context);
  };
  const auto vietnambiz = parse("vietnambiz-tai-chinh-2026-09-15-utf16-decl.trimmed.xml");
  CHECK(vietnambiz.warnings ==
        std::vector<std::string>{"XML declaration says utf-16 but the bytes are UTF-8"});
  // GMT+7 inside CDATA.
  CHECK(tinhop::test::utc(vietnambiz.feed.items[0].published) == "2026-09-15T02:02:15Z");

  const auto vnexpress = parse("vnexpress-the-gioi-2025-02-06.xml");
  REQUIRE(vnexpress.feed.items.at(0).enclosures.size() == 1);
  CHECK(vnexpress.feed.items[0].enclosures[0].type == "image/jpeg");
  CHECK(vnexpress.feed.items[0].enclosures[0].length == std::nullopt);  // length="1200" is the width

  const auto copy = parse("vnexpress-tin-moi-nhat-2017-11-14-browser-copy.xml");
  CHECK(copy.feed.items.size() == 24);  // 25 in the file, one placeholder
  CHECK(copy.warnings ==
        std::vector<std::string>{"1 placeholder item(s) (no title, \"No Description\") skipped"});

  const auto edited = parse("vnexpress-kinh-doanh-2026-09-14.edited.xml");
  CHECK(edited.feed.items.at(1).title == "Giá dầu thô tăng khi Arab Saudi đóng đường ống qua Hormuz");
  CHECK(edited.feed.items.at(2).link ==
        "https://vnexpress.net/"
        "gia-vang-duoc-du-bao-tang-tro-lai-vao-cuoi-nam-5119580.html?utm_source=rss&utm_medium=rss");

  const auto baochinhphu = parse("baochinhphu-kinh-te-2026-09-14.trimmed.xml");
  // 9/14/2026 6:44:00 PM, no zone: read in Asia/Ho_Chi_Minh.
  CHECK(tinhop::test::utc(baochinhphu.feed.items.at(0).published) == "2026-09-14T11:44:00Z");
}
