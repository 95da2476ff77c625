// Snowy alpine peaks with blue-grey shadow faces, a pale winter sky and a snowfield dotted with dark firs.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f3f3f0');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  brush.fill('#c9d6e2', 220);
  brush.fillBleed(0.3);
  brush.rect(-256, -256, 512, 260);

  // peaks: each a lit white triangle and a blue shadow half
  const peaks = [[-120, -120, 170], [60, -170, 210], [190, -80, 130]];
  for (const [px, py, w] of peaks) {
    brush.fill('#ffffff', 255);
    brush.fillBleed(0.05);
    brush.polygon([[px, py], [px - w, 60], [px + w, 60]]);
    brush.fill('#8a9bb2', 230);
    brush.fillBleed(0.12);
    brush.fillTexture(0.5, 0.4);
    brush.polygon([[px, py], [px + w, 60], [px + w * 0.15, 60], [px + 10, py + 60]]);
    brush.fill('#5e6f88', 200);
    brush.polygon([[px, py], [px + w * 0.6, 20], [px + w * 0.25, 30]]);
  }
  // outline the peaks
  brush.set('2B', '#3d4a5c', 1);
  brush.noFill();
  for (const [px, py, w] of peaks) brush.spline([[px - w, 60], [px - w * 0.4, py + 90], [px, py], [px + w * 0.5, py + 110], [px + w, 60]], 0.1);

  // snowfield
  brush.noStroke();
  brush.fill('#dfe6ee', 200);
  brush.fillBleed(0.2);
  brush.rect(-256, 50, 512, 210);
  // firs
  for (let i = 0; i < 11; i++) {
    const x = random(-240, 240);
    const y = random(110, 240);
    const h = map(y, 110, 240, 25, 60);
    brush.fill('#26382f', 250);
    brush.fillBleed(0.05);
    brush.polygon([[x, y - h], [x - h * 0.3, y], [x + h * 0.3, y]]);
  }
}
