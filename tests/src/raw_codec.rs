//! [`RawCodec`]: raw bytes both ways on a request-response stream, framed as the protocol
//! under test frames them, so a test can put any bytes on it.

use libp2p::futures::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};

/// Most bytes read as one message.
const MAX_MESSAGE: usize = 64 * 1024 * 1024;

/// How a message is delimited on its stream.
#[derive(Debug, Clone, Copy, Default)]
pub enum RawCodec {
    /// The whole stream is the message (`/ebl/body/1`), read up to 4 MiB.
    #[default]
    ToEnd,
    /// A 4-byte big-endian length, then the bytes (Malachite's value sync).
    LengthPrefixed,
}

impl RawCodec {
    async fn read<T: AsyncRead + Unpin + Send>(self, io: &mut T) -> std::io::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        match self {
            RawCodec::ToEnd => {
                io.take(4 * 1024 * 1024).read_to_end(&mut bytes).await?;
            }
            RawCodec::LengthPrefixed => {
                let mut len = [0u8; 4];
                io.read_exact(&mut len).await?;
                let len = u32::from_be_bytes(len) as usize;
                if len > MAX_MESSAGE {
                    return Err(std::io::Error::other("message too large"));
                }
                bytes.resize(len, 0);
                io.read_exact(&mut bytes).await?;
            }
        }
        Ok(bytes)
    }

    async fn write<T: AsyncWrite + Unpin + Send>(
        self,
        io: &mut T,
        bytes: &[u8],
    ) -> std::io::Result<()> {
        if let RawCodec::LengthPrefixed = self {
            let len = u32::try_from(bytes.len()).map_err(std::io::Error::other)?;
            io.write_all(&len.to_be_bytes()).await?;
        }
        io.write_all(bytes).await?;
        io.flush().await
    }
}

#[async_trait::async_trait]
impl libp2p::request_response::Codec for RawCodec {
    type Protocol = libp2p::StreamProtocol;
    type Request = Vec<u8>;
    type Response = Vec<u8>;

    async fn read_request<T>(&mut self, _: &Self::Protocol, io: &mut T) -> std::io::Result<Vec<u8>>
    where
        T: AsyncRead + Unpin + Send,
    {
        self.read(io).await
    }

    async fn read_response<T>(&mut self, _: &Self::Protocol, io: &mut T) -> std::io::Result<Vec<u8>>
    where
        T: AsyncRead + Unpin + Send,
    {
        self.read(io).await
    }

    async fn write_request<T>(
        &mut self,
        _: &Self::Protocol,
        io: &mut T,
        bytes: Vec<u8>,
    ) -> std::io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        self.write(io, &bytes).await
    }

    async fn write_response<T>(
        &mut self,
        _: &Self::Protocol,
        io: &mut T,
        bytes: Vec<u8>,
    ) -> std::io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        self.write(io, &bytes).await
    }
}
