//! QR codes of page URLs, all drawn by the `qrcode` crate: SVG by its SVG renderer, PNG by its
//! generic renderer into an 8-bit greyscale canvas that the `png` crate encodes (R372).

use qrcode::render::{Canvas, Pixel};
use qrcode::{Color, EcLevel, QrCode};

use crate::error::ApiError;

/// Pixels per module in the PNG (the quiet zone of 4 modules is the renderer's).
const SCALE: u32 = 8;

fn code(url: &str) -> Result<QrCode, ApiError> {
    QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .map_err(|e| ApiError::bad_request("INVALID_QR", e.to_string()))
}

/// The QR code of `url` as an SVG document.
pub(crate) fn svg(url: &str) -> Result<String, ApiError> {
    Ok(code(url)?
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build())
}

/// One greyscale pixel: 0 black, 255 white.
#[derive(Debug, Clone, Copy)]
struct Grey(u8);

/// A square greyscale image: its side in pixels and its pixels, row by row.
struct GreyImage {
    side: u32,
    pixels: Vec<u8>,
}

struct GreyCanvas {
    image: GreyImage,
    dark: u8,
}

impl Pixel for Grey {
    type Image = GreyImage;
    type Canvas = GreyCanvas;

    fn default_unit_size() -> (u32, u32) {
        (SCALE, SCALE)
    }

    fn default_color(color: Color) -> Self {
        Grey(color.select(0, 255))
    }
}

impl Canvas for GreyCanvas {
    type Pixel = Grey;
    type Image = GreyImage;

    fn new(width: u32, height: u32, dark: Grey, light: Grey) -> Self {
        debug_assert_eq!(width, height, "a QR code is square");
        let len = usize::try_from(u64::from(width) * u64::from(height)).unwrap_or(0);
        GreyCanvas {
            image: GreyImage {
                side: width,
                pixels: vec![light.0; len],
            },
            dark: dark.0,
        }
    }

    fn draw_dark_pixel(&mut self, x: u32, y: u32) {
        let index = u64::from(y) * u64::from(self.image.side) + u64::from(x);
        if let Some(pixel) = usize::try_from(index)
            .ok()
            .and_then(|i| self.image.pixels.get_mut(i))
        {
            *pixel = self.dark;
        }
    }

    fn into_image(self) -> GreyImage {
        self.image
    }
}

/// The QR code of `url` as a PNG image (greyscale, 8 pixels per module, 4-module quiet zone).
pub(crate) fn png(url: &str) -> Result<Vec<u8>, ApiError> {
    let image = code(url)?.render::<Grey>().build();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, image.side, image.side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .and_then(|mut writer| {
            writer.write_image_data(&image.pixels)?;
            writer.finish()
        })
        .map_err(|e| ApiError::internal(&e))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "http://127.0.0.1:8080/?ebl=00";

    /// Decodes a greyscale PNG back to its side and pixels.
    fn decode(bytes: &[u8]) -> (u32, Vec<u8>) {
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
            .read_info()
            .unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!(info.color_type, png::ColorType::Grayscale);
        assert_eq!(info.width, info.height);
        (info.width, pixels)
    }

    #[test]
    fn the_png_draws_every_module_of_the_crates_matrix_with_a_quiet_zone() {
        let (side, pixels) = decode(&png(URL).unwrap());
        let code = code(URL).unwrap();
        let modules = u32::try_from(code.width()).unwrap();
        assert_eq!(side, (modules + 8) * SCALE);
        let colors = code.to_colors();
        for my in 0..modules {
            for mx in 0..modules {
                // The centre pixel of each module.
                let (x, y) = ((mx + 4) * SCALE + SCALE / 2, (my + 4) * SCALE + SCALE / 2);
                let pixel = pixels[usize::try_from(y * side + x).unwrap()];
                let expected = colors[usize::try_from(my * modules + mx).unwrap()];
                assert_eq!(pixel, expected.select(0, 255), "module ({mx}, {my})");
            }
        }
        // The quiet zone is white.
        assert!(
            pixels[..usize::try_from(side * 4 * SCALE).unwrap()]
                .iter()
                .all(|&p| p == 255)
        );
    }

    #[test]
    fn a_url_too_long_for_any_qr_code_is_rejected() {
        let url = "x".repeat(5000);
        let error = png(&url).unwrap_err();
        assert_eq!(error.code, "INVALID_QR");
    }
}
