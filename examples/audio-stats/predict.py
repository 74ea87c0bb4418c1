import wave

from cog import BasePredictor, Input, Path


class Predictor(BasePredictor):
    def setup(self) -> None:
        """numpy is imported here, not at the top: a host without it fails setup with a clear error."""
        import numpy

        self.np = numpy

    def predict(self, audio: Path = Input(description="A PCM WAV file (8, 16 or 32-bit; mono or stereo)")) -> dict:
        np = self.np
        with wave.open(str(audio), "rb") as wav:
            rate, channels, width, frames = wav.getframerate(), wav.getnchannels(), wav.getsampwidth(), wav.getnframes()
            raw = wav.readframes(frames)
        dtype = {1: np.uint8, 2: np.int16, 4: np.int32}.get(width)
        if dtype is None:
            raise ValueError(f"unsupported sample width: {width * 8} bits")
        samples = np.frombuffer(raw, dtype=dtype).astype(np.float64)
        if width == 1:
            samples = samples - 128.0
        samples = samples.reshape(-1, channels).mean(axis=1) / float(2 ** (8 * width - 1))
        rms = float(np.sqrt(np.mean(samples**2))) if samples.size else 0.0
        spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size))) if samples.size > 1 else np.zeros(1)
        frequencies = np.fft.rfftfreq(samples.size, d=1.0 / rate) if samples.size > 1 else np.zeros(1)
        return {
            "duration": round(samples.size / rate, 4),
            "sample_rate": rate,
            "channels": channels,
            "peak": round(float(np.max(np.abs(samples))) if samples.size else 0.0, 4),
            "rms_dbfs": round(20 * np.log10(rms), 2) if rms > 0 else None,
            "dominant_frequency": round(float(frequencies[int(np.argmax(spectrum))]), 1),
        }
