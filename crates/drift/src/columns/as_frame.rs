//! A fitted reference back as a frame: the rows it stands for, in another order.

use driftwatch_core::{Categorical, Column, Frame};

use super::{ColumnReference, DriftReference};

impl DriftReference {
    /// The rows this reference summarises, as a frame: each numeric column's sorted
    /// sample then its missing values, each categorical column's levels repeated by
    /// their counts then its missing values, with the columns' kinds (boolean,
    /// timestamp); a sketched column gives its kept values by their weights (the
    /// sketch's approximation of the sample). Every drift test is invariant to row order, so checking this frame
    /// equals checking the data the reference was fitted on: the DataFusion engine
    /// checks a current summary this way, and the HTML page of a `.dwr` reference draws
    /// its histograms from it.
    ///
    /// # Errors
    /// When the columns stand for different row counts (a reference whose columns came
    /// from different tables).
    pub fn to_frame(&self) -> driftwatch_core::Result<Frame> {
        let columns = self
            .columns
            .iter()
            .map(|c| {
                let column = match &c.reference {
                    ColumnReference::Numeric(n) => {
                        let values = n.as_ref().map_or(&[][..], |n| n.sorted.sorted_values());
                        Column::Numeric(
                            values
                                .iter()
                                .copied()
                                .chain(std::iter::repeat_n(f64::NAN, c.missing))
                                .collect(),
                        )
                    }
                    // a sketch stands for its rows approximately: its kept values,
                    // each repeated by its weight
                    ColumnReference::Sketch(sketch) => Column::Numeric(
                        sketch
                            .weighted()
                            .into_iter()
                            .flat_map(|(v, w)| std::iter::repeat_n(v, w as usize))
                            .chain(std::iter::repeat_n(f64::NAN, c.missing))
                            .collect(),
                    ),
                    ColumnReference::Categorical { levels, counts } => {
                        let mut codes = Vec::with_capacity(c.rows);
                        for (code, &n) in counts.iter().enumerate() {
                            codes.extend(std::iter::repeat_n(Some(code as u32), n as usize));
                        }
                        codes.extend(std::iter::repeat_n(None, c.missing));
                        Column::Categorical(Categorical {
                            codes,
                            levels: levels.clone(),
                        })
                    }
                };
                (c.name.clone(), column)
            })
            .collect();
        let mut frame = Frame::new(columns)?;
        for c in &self.columns {
            frame.set_kind(&c.name, c.kind())?;
        }
        Ok(frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftwatch_core::{ColumnKind, ReadOptions, read_csv};

    #[test]
    fn to_frame_refits_to_the_same_reference_and_checks_the_same() {
        let text = "x,c,b\n3,u,true\n1,v,false\n,u,\n2.5,,TRUE\n1,w,false\n";
        let data = read_csv(text.as_bytes(), "t.csv", &ReadOptions::default()).unwrap();
        let fitted = DriftReference::fit(&data, &[]).unwrap();
        let frame = fitted.to_frame().unwrap();
        assert_eq!(frame.n_rows(), 5);
        assert_eq!(frame.kind("b").unwrap(), ColumnKind::Boolean);
        assert_eq!(
            frame.column("x").unwrap().numeric_values().unwrap(),
            vec![1.0, 1.0, 2.5, 3.0]
        );
        assert_eq!(DriftReference::fit(&frame, &[]).unwrap(), fitted);
        let options = crate::columns::DriftOptions::default();
        let json = |f: &Frame| serde_json::to_string(&fitted.report(f, &options).unwrap()).unwrap();
        assert_eq!(json(&frame), json(&data));
    }
}
