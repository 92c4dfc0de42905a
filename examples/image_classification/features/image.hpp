#pragma once
/// Decoded photos and their grey levels, as docs/image-features.md
/// ("Decoding and grey levels") specifies them.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace image_features {

/// An 8-bit RGB image: pixels holds width * height * 3 bytes, RGB
/// interleaved, row by row from the top.
struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;
};

/// width * height, after checking that pixels holds 3 bytes for each pixel.
/// Throws std::invalid_argument otherwise.
std::size_t pixel_count(const RgbImage& image);

/// Decodes a JPEG file with libjpeg's defaults to 8-bit RGB (no EXIF
/// rotation). Throws std::runtime_error naming the file and the reason when
/// the file cannot be opened, is not a JPEG, or ends early.
RgbImage read_jpeg(const std::string& path);

/// The grey level of every pixel, (0.30*R + 0.59*G) + 0.11*B in double: the
/// input of LBP.
std::vector<double> grey(const RgbImage& image);

/// grey() into `out`, reusing its memory. A photo of 5 megapixels has 40 MB
/// of grey levels, above glibc's largest mmap threshold: a fresh vector is
/// mapped anew each time, and its page faults cost more than LBP itself.
void grey_into(const RgbImage& image, std::vector<double>& out);

/// grey() truncated (not rounded) to uint8: the input of Haralick. A pixel
/// (1,1,1) gives 0.9999999999999999 and thus 0, as the reference does.
std::vector<std::uint8_t> grey_u8(const RgbImage& image);

}  // namespace image_features
