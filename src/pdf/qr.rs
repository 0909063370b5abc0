//! QR codes as vector modules: the matrix from `qrcode` (error correction M), drawn as filled
//! rectangles inside a 4-module quiet zone.

use qrcode::{EcLevel, QrCode};

use super::PdfError;

/// Light modules kept around the symbol on every side, as the QR specification asks.
pub const QUIET_ZONE: usize = 4;

/// A QR symbol's module matrix, without the quiet zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QrMatrix {
    width: usize,
    dark: Vec<bool>,
}

impl QrMatrix {
    /// Encodes `data` (its UTF-8 bytes) at error correction level M.
    pub fn encode(data: &str) -> Result<Self, PdfError> {
        let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)?;
        Ok(QrMatrix {
            width: code.width(),
            dark: code
                .to_colors()
                .into_iter()
                .map(|c| c == qrcode::Color::Dark)
                .collect(),
        })
    }

    /// Modules per side, without the quiet zone.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Modules per side including the quiet zone on both sides.
    pub fn width_with_quiet_zone(&self) -> usize {
        self.width + 2 * QUIET_ZONE
    }

    /// Whether the module at `row`, `column` (0-based, quiet zone excluded) is dark.
    pub fn is_dark(&self, row: usize, column: usize) -> bool {
        row < self.width && column < self.width && self.dark[row * self.width + column]
    }

    /// The dark modules as horizontal runs `(row, first column, length)`, row by row.
    pub fn runs(&self) -> Vec<(usize, usize, usize)> {
        let mut runs = Vec::new();
        for row in 0..self.width {
            let mut column = 0;
            while column < self.width {
                if !self.is_dark(row, column) {
                    column += 1;
                    continue;
                }
                let start = column;
                while column < self.width && self.is_dark(row, column) {
                    column += 1;
                }
                runs.push((row, start, column - start));
            }
        }
        runs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_matches_qrcode() {
        let url = "https://benchside.example/verify/0f3c2a";
        let matrix = QrMatrix::encode(url).unwrap();
        let code = QrCode::with_error_correction_level(url, EcLevel::M).unwrap();
        assert_eq!(matrix.width(), code.width());
        assert_eq!(matrix.width_with_quiet_zone(), code.width() + 8);
        let colors = code.to_colors();
        let mut from_runs = vec![false; code.width() * code.width()];
        for (row, start, len) in matrix.runs() {
            for column in start..start + len {
                from_runs[row * code.width() + column] = true;
            }
        }
        let expected: Vec<bool> = colors.iter().map(|c| *c == qrcode::Color::Dark).collect();
        assert_eq!(from_runs, expected);
        // Finder pattern corners are dark.
        assert!(matrix.is_dark(0, 0) && matrix.is_dark(0, code.width() - 1));
        assert!(!matrix.is_dark(code.width(), 0));
    }

    #[test]
    fn too_long_is_an_error() {
        let data = "x".repeat(5000);
        assert!(matches!(QrMatrix::encode(&data), Err(PdfError::Qr(_))));
    }
}
