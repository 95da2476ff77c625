// Snow-capped peaks against a clear cold-blue sky, blue shadow faces, a dark fir forest along a frozen lake.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f4f6f8');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // sky: strong blue at the top, paler at the horizon
  brush.fill('#5f8fc2', 240);
  brush.fillBleed(0.3);
  brush.fillTexture(0.4, 0.2);
  brush.rect(-256, -256, 512, 150);
  brush.fill('#9dbfdf', 230);
  brush.rect(-256, -120, 512, 170);

  // peaks: [peak x, peak y, left foot, right foot]
  const peaks = [[-130, -110, -300, 40], [70, -170, -120, 280], [210, -60, 90, 320]];
  for (const [px, py, lx, rx] of peaks) {
    const base = 80;
    brush.fill('#fbfcfd', 255);
    brush.fillBleed(0.05);
    brush.fillTexture(0.2, 0.1);
    brush.polygon([[px, py], [px + 25, py + 40], [rx, base], [lx, base], [px - 30, py + 45]]);
    brush.polygon([[px, py], [px + 25, py + 40], [rx, base], [lx, base], [px - 30, py + 45]]);
    // shadow face on the right of the ridge line
    brush.fill('#7d94b4', 240);
    brush.fillBleed(0.1);
    brush.fillTexture(0.5, 0.4);
    brush.polygon([[px, py], [px + 25, py + 40], [rx, base], [px + 40, base], [px + 15, py + 90], [px + 5, py + 40]]);
    brush.fill('#566f93', 200);
    brush.polygon([[px, py], [px + 20, py + 38], [px + 12, py + 70], [px + 3, py + 35]]);
  }

  // frozen lake
  brush.fill('#c7d8e8', 240);
  brush.fillBleed(0.15);
  brush.rect(-256, 150, 512, 110);
  brush.fill('#a7bfd6', 200);
  brush.rect(-256, 205, 512, 55);

  // fir forest along the shore
  for (let i = 0; i < 34; i++) {
    const x = -262 + i * 16 + random(-4, 4);
    const h = random(35, 75);
    const y = 150 + random(-4, 4);
    brush.fill(i % 3 ? '#22362f' : '#2f4a3e', 255);
    brush.fillBleed(0.04);
    brush.polygon([[x, y - h], [x - h * 0.22, y], [x + h * 0.22, y]]);
  }
  brush.set('2H', '#ffffff', 1.3);
  brush.line(-180, 215, -60, 215);
  brush.line(40, 235, 170, 235);
}
