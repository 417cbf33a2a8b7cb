//! A plain text table with aligned columns, for reports people scan.

use std::io::{self, Write};

/// Writes `header` and `rows` with each column padded to its widest cell.
pub fn write<const N: usize>(
    out: &mut impl Write,
    header: [&str; N],
    rows: &[[String; N]],
) -> io::Result<()> {
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut line = |cells: [&str; N]| -> io::Result<()> {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            s.push_str(cell);
            if i + 1 < N {
                s.push_str(&" ".repeat(w - cell.chars().count() + 2));
            }
        }
        s.push('\n');
        out.write_all(s.as_bytes())
    };
    line(header)?;
    for row in rows {
        line(std::array::from_fn(|i| row[i].as_str()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn aligns_columns() {
        let mut out = Vec::new();
        let rows = [
            ["LONG_NAME".to_owned(), "x".to_owned()],
            ["A".to_owned(), "yy".to_owned()],
        ];
        super::write(&mut out, ["NAME", "STATE"], &rows).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "NAME       STATE\nLONG_NAME  x\nA          yy\n"
        );
    }
}
