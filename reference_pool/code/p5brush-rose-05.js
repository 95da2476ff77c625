// A pink rose in watercolour: cupped petals from blush to deep rose around a spiralled heart, sage leaves on an ink stem.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f8f2ee');
  brush.scaleBrushes(1.5);

  // stem and leaves
  brush.set('2B', '#4c6b3c', 2.2);
  brush.spline([[0, 20], [12, 120], [-8, 190], [4, 256]], 0.6);
  brush.set('HB', '#4c6b3c', 1.2);
  brush.line(10, 130, 60, 112);
  brush.line(-2, 182, -55, 168);
  brush.noStroke();
  brush.fill('#6e9159', 220);
  brush.fillBleed(0.2);
  brush.fillTexture(0.5, 0.5);
  brush.beginShape(0.8);
  brush.vertex(40, 120); brush.vertex(95, 88); brush.vertex(160, 95); brush.vertex(100, 135);
  brush.endShape(true);
  brush.fill('#587d48', 210);
  brush.beginShape(0.8);
  brush.vertex(-40, 172); brush.vertex(-95, 145); brush.vertex(-160, 160); brush.vertex(-100, 195);
  brush.endShape(true);

  // outer cup of petals
  brush.fill('#f4a9bb', 230);
  brush.fillBleed(0.3);
  brush.fillTexture(0.5, 0.6);
  brush.beginShape(0.7);
  brush.vertex(-130, -90); brush.vertex(-60, -150); brush.vertex(0, -120); brush.vertex(60, -155); brush.vertex(130, -95);
  brush.vertex(120, -10); brush.vertex(60, 35); brush.vertex(0, 45); brush.vertex(-60, 35); brush.vertex(-120, -10);
  brush.endShape(true);
  // front cupped petals
  brush.fill('#ec8aa4', 190);
  brush.fillBleed(0.25);
  brush.beginShape(0.7);
  brush.vertex(-115, -40); brush.vertex(-40, -20); brush.vertex(40, -22); brush.vertex(115, -45);
  brush.vertex(90, 15); brush.vertex(0, 42); brush.vertex(-90, 15);
  brush.endShape(true);
  // inner petals
  for (let i = 0; i < 4; i++) {
    const a = i * 90 + 20;
    brush.fill('#de6f8f', 170);
    brush.fillBleed(0.25);
    brush.circle(40 * cos(a), 35 * sin(a) - 75, 44);
  }
  // heart
  brush.fill('#b93a63', 210);
  brush.fillBleed(0.2);
  brush.circle(0, -78, 32);
  brush.fill('#8f2049', 160);
  brush.circle(6, -82, 14);

  // a few ink petal edges
  brush.set('HB', '#7a2242', 0.7);
  brush.noFill();
  const pts = [];
  for (let t = 0; t < 600; t += 40) {
    const rr = 5 + t * 0.06;
    pts.push([rr * cos(t), rr * sin(t) * 0.8 - 80]);
  }
  brush.spline(pts, 0.8);
  brush.spline([[-110, -38], [-50, -15], [0, -18], [50, -15], [110, -42]], 0.7);
  brush.spline([[-85, 14], [0, 40], [85, 12]], 0.7);
}
