import shutil
import subprocess
import tempfile
from pathlib import Path as FilePath

from cog import BasePredictor, Input, Path


class Predictor(BasePredictor):
    def setup(self) -> None:
        """Finds espeak-ng once (cog.yaml lists it under system_packages)."""
        self.espeak = shutil.which("espeak-ng")
        if self.espeak is None:
            raise RuntimeError("espeak-ng is not installed on this host: apt-get install espeak-ng")

    def predict(
        self,
        text: str = Input(description="What to say", default="Hello from Sprocket."),
        voice: str = Input(description="espeak-ng voice", default="en", choices=["en", "en-us", "en-gb", "de", "fr", "es"]),
        speed: int = Input(description="Words per minute", default=160, ge=80, le=400),
    ) -> Path:
        out = FilePath(tempfile.mkdtemp()) / "speech.wav"
        subprocess.run([self.espeak, "-v", voice, "-s", str(speed), "-w", str(out), "--", text], check=True, capture_output=True)
        return Path(out)
