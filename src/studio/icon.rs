//! The app's icon: the top bar's mark (three nodes joined by a causeway on a rounded square),
//! drawn in pixels. `assets/icon.png` is the same drawing, for the desktop entry; a test keeps
//! the two alike.

use eframe::egui::IconData;

/// The icon's side, in pixels.
pub const ICON_SIZE: u32 = 128;

/// The icon as RGBA pixels, `ICON_SIZE` square.
pub fn icon() -> IconData {
    let size = ICON_SIZE as f32;
    let background = [0x3b_u8, 0x82, 0xf6];
    let mut rgba = Vec::with_capacity((ICON_SIZE * ICON_SIZE * 4) as usize);
    let corner = size * 0.22;
    let line_half = size * 0.045;
    let y = size / 2.0;
    let xs = [size * 0.25, size * 0.5, size * 0.75];
    let dot = size * 0.1;
    for py in 0..ICON_SIZE {
        for px in 0..ICON_SIZE {
            let (x, yy) = (px as f32 + 0.5, py as f32 + 0.5);
            // Coverage of the rounded square, anti-aliased over one pixel.
            let dx = (corner - x).max(x - (size - corner)).max(0.0);
            let dy = (corner - yy).max(yy - (size - corner)).max(0.0);
            let outside = (dx * dx + dy * dy).sqrt() - corner;
            let alpha = (0.5 - outside).clamp(0.0, 1.0);
            // White: the causeway and its three nodes.
            let on_line = x >= xs[0] && x <= xs[2] && (yy - y).abs() <= line_half;
            let on_dot = xs
                .iter()
                .any(|cx| ((x - cx).powi(2) + (yy - y).powi(2)).sqrt() <= dot);
            let [r, g, b] = if on_line || on_dot {
                [255, 255, 255]
            } else {
                background
            };
            rgba.extend_from_slice(&[r, g, b, (alpha * 255.0).round() as u8]);
        }
    }
    IconData {
        rgba,
        width: ICON_SIZE,
        height: ICON_SIZE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use eframe::icon_data::IconDataExt as _;

    const ASSET: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/icon.png");

    #[test]
    fn the_committed_icon_is_the_drawn_one() {
        let drawn = icon();
        if std::env::var_os("UPDATE_ICON").is_some() {
            let png = drawn.to_png_bytes().expect("the icon encodes");
            std::fs::write(ASSET, png).expect("assets/icon.png is writable");
        }
        let bytes = std::fs::read(ASSET).expect("assets/icon.png exists (UPDATE_ICON=1 writes it)");
        let committed = eframe::icon_data::from_png_bytes(&bytes).expect("it is a PNG");
        assert_eq!(committed, drawn);
    }
}
