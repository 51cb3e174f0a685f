//! `shopify-admin products`: the reference example's query, typed.

use std::io::Write;
use std::process::ExitCode;

use shopify_queries::products;

use crate::Io;
use crate::connect::connect;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// How many products to print (1–250).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(i32).range(1..=250))]
    first: i32,
    /// Print the response's `data` as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub async fn run(args: Args, io: &mut Io) -> anyhow::Result<ExitCode> {
    let connection = connect(io).await?;
    let response = connection
        .client
        .send::<products::Operation>(&products::Variables { first: args.first })
        .await?;
    if args.json {
        writeln!(
            io.stdout,
            "{}",
            serde_json::to_string_pretty(&response.raw_data)?
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<[String; 3]> = response
        .data
        .products
        .edges
        .into_iter()
        .map(|edge| [edge.node.title, edge.node.handle, edge.node.id.to_string()])
        .collect();
    write!(io.stdout, "{}", table(["TITLE", "HANDLE", "ID"], &rows))?;
    writeln!(
        io.stderr,
        "{} products from {}",
        rows.len(),
        connection.client.shop()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Left-aligned columns, two spaces apart.
fn table<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> String {
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        out.push_str(padded.join("  ").trim_end());
        out.push('\n');
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_aligned_to_the_widest_cell() {
        let rows = [[
            "Linen Shirt".to_owned(),
            "linen-shirt".to_owned(),
            "gid://shopify/Product/1".to_owned(),
        ]];
        assert_eq!(
            table(["TITLE", "HANDLE", "ID"], &rows),
            "TITLE        HANDLE       ID\nLinen Shirt  linen-shirt  gid://shopify/Product/1\n"
        );
    }
}
