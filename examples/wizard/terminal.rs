//! The terminal: one line of input at a time, at most [`MAX_LINE_BYTES`] bytes of it (the
//! rest of a longer line is dropped), decoded leniently, and never echoed back.

use std::io::{self, BufRead, Write};

use crate::world::BoxError;

/// The most bytes of one input line that are kept.
const MAX_LINE_BYTES: usize = 4096;

/// Why the session ends before the person is done.
pub enum Stop {
    /// The person typed `quit`.
    Quit,
    /// The input ended (Ctrl-D, or the end of a piped script).
    Eof,
    /// Something failed (the terminal, the temporary folder, the service).
    Failed(BoxError),
}

impl From<io::Error> for Stop {
    fn from(error: io::Error) -> Self {
        Stop::Failed(error.into())
    }
}

impl From<sspr::Error> for Stop {
    fn from(error: sspr::Error) -> Self {
        Stop::Failed(error.into())
    }
}

impl From<BoxError> for Stop {
    fn from(error: BoxError) -> Self {
        Stop::Failed(error)
    }
}

/// Prints the prompt and reads one line; `quit` (or `exit`) and the end of input stop.
pub fn ask(prompt: &str) -> Result<String, Stop> {
    println!("{prompt}");
    print!("> ");
    io::stdout().flush()?;
    let Some(line) = read_line(&mut io::stdin().lock())? else {
        return Err(Stop::Eof);
    };
    if matches!(
        line.trim().to_lowercase().as_str(),
        "quit" | "exit" | "stoppen"
    ) {
        return Err(Stop::Quit);
    }
    Ok(line)
}

/// One line without its line ending, at most [`MAX_LINE_BYTES`] of it kept, invalid UTF-8
/// replaced; `None` at the end of input.
fn read_line(input: &mut impl BufRead) -> io::Result<Option<String>> {
    let mut kept = Vec::new();
    let mut read_any = false;
    loop {
        let buffer = match input.fill_buf() {
            Ok(buffer) => buffer,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        if buffer.is_empty() {
            return Ok(read_any.then(|| decode(&kept)));
        }
        read_any = true;
        let newline = buffer.iter().position(|&b| b == b'\n');
        let line = &buffer[..newline.unwrap_or(buffer.len())];
        let room = MAX_LINE_BYTES.saturating_sub(kept.len());
        kept.extend_from_slice(&line[..line.len().min(room)]);
        let used = newline.map_or(buffer.len(), |at| at + 1);
        input.consume(used);
        if newline.is_some() {
            return Ok(Some(decode(&kept)));
        }
    }
}

fn decode(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .trim_end_matches('\r')
        .to_owned()
}
